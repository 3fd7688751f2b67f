-- 002_cases: the system of record (SPEC §4, §5, §7, §8).
--
-- Entities and categories, holidays, cases with their status history and
-- notes, subscribers with their opt-outs and per-case mutes, one row per
-- inbound message, and the outbox every outbound SMS goes through.
--
-- Status changes go through tawasul_set_status() (history row + NOTIFY on
-- channel tawasul_case, payload "<case id> <new status>"), so the back
-- office and tawasulctl change statuses the same way.

CREATE TYPE case_kind AS ENUM ('complaint', 'suggestion', 'enquiry');

CREATE TYPE case_status AS ENUM ('received', 'acknowledged', 'in_progress',
	'awaiting_info', 'responded', 'closed', 'reopened');

CREATE TABLE entities (
	code           text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,15}$'),
	name_en        text NOT NULL CHECK (name_en <> ''),
	name_ar        text NOT NULL CHECK (name_ar <> ''),
	aliases_en     text[] NOT NULL DEFAULT '{}',
	aliases_ar     text[] NOT NULL DEFAULT '{}',
	sla_complaint  integer NOT NULL CHECK (sla_complaint BETWEEN 0 AND 365),
	sla_suggestion integer NOT NULL CHECK (sla_suggestion BETWEEN 0 AND 365),
	sla_enquiry    integer NOT NULL CHECK (sla_enquiry BETWEEN 0 AND 365),
	active         boolean NOT NULL DEFAULT true,
	updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
	id      serial PRIMARY KEY,
	entity  text NOT NULL REFERENCES entities (code),
	code    text NOT NULL,
	name_en text NOT NULL,
	name_ar text NOT NULL,
	UNIQUE (entity, code)
);

CREATE TABLE holidays (
	day  date PRIMARY KEY,
	name text NOT NULL DEFAULT ''
);

-- One row per MO message as the citizen sent it (a long message joined
-- from its parts is one row). outcome says what it did.
CREATE TABLE inbound_messages (
	id          bigserial PRIMARY KEY,
	msisdn      text NOT NULL,
	short_code  text NOT NULL,
	channel     text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'ussd')),
	link        text NOT NULL,
	body        text NOT NULL,
	parts       smallint NOT NULL DEFAULT 1,
	complete    boolean NOT NULL DEFAULT true,
	outcome     text NOT NULL,
	case_id     bigint,
	-- a message joined from parts: its reassembly, recorded once
	reasm_id    text UNIQUE,
	received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbound_messages_msisdn ON inbound_messages (msisdn, received_at);

-- Reference numbers come from this sequence through the gateway's keyed
-- permutation (SPEC §4); the sequence value is kept for audits.
CREATE SEQUENCE case_seq MINVALUE 1 MAXVALUE 900000000 NO CYCLE;

CREATE TABLE cases (
	id            bigserial PRIMARY KEY,
	seq           bigint NOT NULL UNIQUE,
	reference     text NOT NULL UNIQUE CHECK (reference ~ '^[1-9][0-9]{9}$'),
	kind          case_kind NOT NULL,
	entity        text NOT NULL REFERENCES entities (code),
	category      integer REFERENCES categories (id),
	msisdn        text NOT NULL,
	channel       text NOT NULL CHECK (channel IN ('sms', 'ussd')),
	lang          text NOT NULL CHECK (lang IN ('ar', 'en')),
	original_text text NOT NULL,
	status        case_status NOT NULL DEFAULT 'received',
	resolution    text,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	due_date      date NOT NULL,
	inbound_id    bigint REFERENCES inbound_messages (id)
);
CREATE INDEX cases_msisdn ON cases (msisdn, created_at DESC);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_entity ON cases (entity);
ALTER TABLE inbound_messages
	ADD FOREIGN KEY (case_id) REFERENCES cases (id);

CREATE TABLE case_status_history (
	id         bigserial PRIMARY KEY,
	case_id    bigint NOT NULL REFERENCES cases (id),
	old_status case_status,
	new_status case_status NOT NULL,
	note       text,
	actor      text NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_status_history_case ON case_status_history (case_id, id);

CREATE TABLE case_notes (
	id         bigserial PRIMARY KEY,
	case_id    bigint NOT NULL REFERENCES cases (id),
	author     text NOT NULL CHECK (author IN ('citizen', 'office')),
	body       text NOT NULL,
	inbound_id bigint REFERENCES inbound_messages (id),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE subscribers (
	msisdn       text PRIMARY KEY,
	lang         text CHECK (lang IN ('ar', 'en')),
	opted_out    boolean NOT NULL DEFAULT false,
	opted_out_at timestamptz,
	updated_at   timestamptz NOT NULL DEFAULT now()
);

-- STOP <ref>: updates of one case muted.
CREATE TABLE case_mutes (
	case_id    bigint PRIMARY KEY REFERENCES cases (id),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Every outbound SMS (SPEC §8). class: reply (always sent), update
-- (muted by STOP), survey (opt-out-able). state: a reply is written
-- 'sending' (the gateway that took the MO sends it at once; next_attempt
-- says when another may take it over), then 'sent', 'failed', or
-- 'pending' for another attempt (the dispatcher adds retries and
-- receipts).
CREATE TABLE outbox (
	id            bigserial PRIMARY KEY,
	msisdn        text NOT NULL,
	class         text NOT NULL CHECK (class IN ('reply', 'update', 'survey')),
	lang          text NOT NULL CHECK (lang IN ('ar', 'en')),
	body          text NOT NULL,
	case_id       bigint REFERENCES cases (id),
	inbound_id    bigint REFERENCES inbound_messages (id),
	link          text,
	state         text NOT NULL DEFAULT 'pending'
	              CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
	attempts      integer NOT NULL DEFAULT 0,
	parts         smallint,
	submit_status bigint,
	message_ids   text[],
	last_error    text,
	created_at    timestamptz NOT NULL DEFAULT now(),
	next_attempt  timestamptz NOT NULL DEFAULT now(),
	sent_at       timestamptz
);
CREATE INDEX outbox_pending ON outbox (next_attempt) WHERE state = 'pending';
CREATE INDEX outbox_case ON outbox (case_id);

-- Delivery receipts as received, until they are matched to outbox rows.
CREATE TABLE delivery_receipts (
	id          bigserial PRIMARY KEY,
	link        text NOT NULL,
	msisdn      text NOT NULL,
	message_id  text,
	stat        text,
	body        text NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);

-- Which status may follow which (SPEC §7).
CREATE FUNCTION tawasul_status_allowed(old case_status, new case_status)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE old
	WHEN 'received' THEN new IN ('acknowledged', 'in_progress',
		'awaiting_info', 'responded', 'closed')
	WHEN 'acknowledged' THEN new IN ('in_progress', 'awaiting_info',
		'responded', 'closed')
	WHEN 'in_progress' THEN new IN ('awaiting_info', 'responded', 'closed')
	WHEN 'awaiting_info' THEN new IN ('in_progress', 'responded', 'closed')
	WHEN 'responded' THEN new IN ('in_progress', 'closed', 'reopened')
	WHEN 'closed' THEN new IN ('reopened')
	WHEN 'reopened' THEN new IN ('acknowledged', 'in_progress',
		'awaiting_info', 'responded', 'closed')
	END
$$;

-- The one way to change a case's status: checks the transition, writes
-- the history row (and the note, when given, as a back-office note unless
-- the actor is the citizen), and NOTIFYs tawasul_case. Raises
-- "unknown reference" (P0002) or "status X cannot follow Y" (22023).
CREATE FUNCTION tawasul_set_status(p_ref text, p_status case_status,
	p_note text, p_actor text)
RETURNS TABLE (case_id bigint, old_status case_status, new_status case_status)
LANGUAGE plpgsql AS $$
DECLARE
	c cases%ROWTYPE;
BEGIN
	SELECT * INTO c FROM cases WHERE reference = p_ref FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown reference %', p_ref
			USING ERRCODE = 'no_data_found';
	END IF;
	IF c.status = p_status OR NOT tawasul_status_allowed(c.status, p_status) THEN
		RAISE EXCEPTION 'status % cannot follow %', p_status, c.status
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE cases SET status = p_status, updated_at = now(),
		resolution = CASE WHEN p_status = 'closed' AND p_note IS NOT NULL
			THEN p_note ELSE resolution END
	WHERE id = c.id;
	INSERT INTO case_status_history (case_id, old_status, new_status, note, actor)
	VALUES (c.id, c.status, p_status, p_note, p_actor);
	IF p_note IS NOT NULL AND p_note <> '' THEN
		INSERT INTO case_notes (case_id, author, body)
		VALUES (c.id, CASE WHEN p_actor = 'citizen' THEN 'citizen'
			ELSE 'office' END, p_note);
	END IF;
	PERFORM pg_notify('tawasul_case', c.id || ' ' || p_status);
	RETURN QUERY SELECT c.id, c.status, p_status;
END
$$;

-- A new case from an MO (SPEC §5): one call, one transaction. Serialised
-- per sender; when the same sender sent the same text within the window,
-- nothing is written and the existing case is returned with created =
-- false (the caller then records the message and its reply, quoting the
-- existing reference). Otherwise writes the inbound record, the case, its
-- first history row and the reply's outbox row (none when p_reply is
-- NULL). A reassembly already recorded (p_reasm_id) writes nothing and
-- returns created = false with a NULL case_id. A sender who filed p_limit
-- cases today (in time zone p_tz) gets limited = true and nothing is
-- written: the caller records the message with its refusal. The lock
-- makes both checks exact across connections and gateway instances.
CREATE FUNCTION tawasul_new_case(p_msisdn text, p_short_code text,
	p_channel text, p_link text, p_parts integer, p_complete boolean,
	p_seq bigint, p_ref text, p_kind case_kind, p_entity text,
	p_lang text, p_text text, p_due date, p_reply text,
	p_window interval, p_reasm_id text, p_limit integer, p_tz text)
RETURNS TABLE (created boolean, case_id bigint, reference text,
	kind case_kind, entity text, due_date date, outbox_id bigint,
	limited boolean)
LANGUAGE plpgsql AS $$
DECLARE
	c cases%ROWTYPE;
	inb bigint;
	ob bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('case:' || p_msisdn, 0));
	IF p_reasm_id IS NOT NULL AND EXISTS (SELECT 1 FROM inbound_messages
			WHERE reasm_id = p_reasm_id) THEN
		RETURN QUERY SELECT false, NULL::bigint, NULL::text,
			NULL::case_kind, NULL::text, NULL::date, NULL::bigint,
			false;
		RETURN;
	END IF;
	SELECT * INTO c FROM cases
	WHERE cases.msisdn = p_msisdn AND original_text = p_text
	  AND created_at > now() - p_window
	ORDER BY cases.id DESC LIMIT 1;
	IF FOUND THEN
		RETURN QUERY SELECT false, c.id, c.reference, c.kind, c.entity,
			c.due_date, NULL::bigint, false;
		RETURN;
	END IF;
	IF (SELECT count(*) FROM cases WHERE cases.msisdn = p_msisdn
	    AND created_at >= date_trunc('day', now() AT TIME ZONE p_tz)
	                      AT TIME ZONE p_tz) >= p_limit THEN
		RETURN QUERY SELECT false, NULL::bigint, NULL::text,
			NULL::case_kind, NULL::text, NULL::date, NULL::bigint,
			true;
		RETURN;
	END IF;
	INSERT INTO inbound_messages (msisdn, short_code, channel, link, body,
		parts, complete, outcome, reasm_id)
	VALUES (p_msisdn, p_short_code, p_channel, p_link, p_text, p_parts,
		p_complete, 'case', p_reasm_id)
	RETURNING id INTO inb;
	INSERT INTO cases (seq, reference, kind, entity, msisdn, channel, lang,
		original_text, due_date, inbound_id)
	VALUES (p_seq, p_ref, p_kind, p_entity, p_msisdn, p_channel, p_lang,
		p_text, p_due, inb)
	RETURNING * INTO c;
	UPDATE inbound_messages SET case_id = c.id WHERE id = inb;
	INSERT INTO case_status_history (case_id, old_status, new_status, actor)
	VALUES (c.id, NULL, 'received', p_channel);
	IF p_reply IS NOT NULL THEN
		INSERT INTO outbox (msisdn, class, lang, body, case_id,
			inbound_id, link, state, next_attempt)
		VALUES (p_msisdn, 'reply', p_lang, p_reply, c.id, inb, p_link,
			'sending', now() + interval '5 minutes')
		RETURNING id INTO ob;
	END IF;
	RETURN QUERY SELECT true, c.id, c.reference, c.kind, c.entity,
		c.due_date, ob, false;
END
$$;

-- Records an MO that created no case, with its reply (p_reply NULL: none),
-- in one transaction. Returns the outbox row id (NULL without a reply, or
-- when the reassembly p_reasm_id was recorded already).
--
-- Outcome 'note' also appends p_note (else the text) to case p_case as the
-- citizen's note, and a case awaiting information goes back to
-- in_progress. The carrier redelivers an MO whose acknowledgement was
-- lost, so like a new case, the same note on the same case within
-- p_window is appended once (unless the case awaits information again):
-- the repeat is recorded as 'note_again' and still answered.
--
-- Outcome 'stop' opts the sender out, under the sender's lock, so of
-- several opt-outs in flight together only the first is confirmed.
CREATE FUNCTION tawasul_record(p_msisdn text, p_short_code text,
	p_channel text, p_link text, p_parts integer, p_complete boolean,
	p_text text, p_outcome text, p_case bigint, p_note text, p_lang text,
	p_reply text, p_reasm_id text,
	p_window interval)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	inb bigint;
	ob bigint;
	v_body text := coalesce(p_note, p_text);
BEGIN
	IF p_reasm_id IS NOT NULL AND EXISTS (SELECT 1 FROM inbound_messages
			WHERE reasm_id = p_reasm_id) THEN
		RETURN NULL; -- delivered twice: recorded the first time
	END IF;
	IF p_outcome = 'stop' THEN
		PERFORM pg_advisory_xact_lock(
			hashtextextended('sub:' || p_msisdn, 0));
		IF EXISTS (SELECT 1 FROM subscribers
				WHERE msisdn = p_msisdn AND opted_out) THEN
			p_reply := NULL; -- confirmed once
		END IF;
		INSERT INTO subscribers (msisdn, opted_out, opted_out_at)
		VALUES (p_msisdn, true, now())
		ON CONFLICT (msisdn) DO UPDATE SET opted_out = true,
			opted_out_at = coalesce(subscribers.opted_out_at, now()),
			updated_at = now();
	END IF;
	IF p_outcome = 'note' THEN
		-- locked first: notes on one case are appended one at a time,
		-- and a status changed meanwhile is seen below
		UPDATE cases SET updated_at = now() WHERE id = p_case;
		-- (a case awaiting information again was asked anew: the
		-- same answer is a new note)
		IF EXISTS (SELECT 1 FROM case_notes
				WHERE case_id = p_case AND author = 'citizen'
				AND body = v_body
				AND created_at > now() - p_window)
			AND NOT EXISTS (SELECT 1 FROM cases WHERE id = p_case
				AND status = 'awaiting_info') THEN
			p_outcome := 'note_again';
		END IF;
	END IF;
	INSERT INTO inbound_messages (msisdn, short_code, channel, link, body,
		parts, complete, outcome, case_id, reasm_id)
	VALUES (p_msisdn, p_short_code, p_channel, p_link, p_text, p_parts,
		p_complete, p_outcome, p_case, p_reasm_id)
	RETURNING id INTO inb;
	IF p_outcome = 'note' THEN
		INSERT INTO case_notes (case_id, author, body, inbound_id)
		VALUES (p_case, 'citizen', v_body, inb);
		-- The information the entity asked for: back to work.
		PERFORM tawasul_set_status(c.reference, 'in_progress', NULL,
			'citizen')
		FROM cases c WHERE c.id = p_case AND c.status = 'awaiting_info';
	END IF;
	IF p_reply IS NOT NULL THEN
		INSERT INTO outbox (msisdn, class, lang, body, case_id, inbound_id,
			link, state, next_attempt)
		VALUES (p_msisdn, 'reply', p_lang, p_reply, p_case, inb, p_link,
			'sending', now() + interval '5 minutes')
		RETURNING id INTO ob;
	END IF;
	RETURN ob;
END
$$;
