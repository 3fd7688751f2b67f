-- 003_record_once: a citizen's note is appended once, an opt-out is
-- confirmed once.
--
-- The carrier redelivers an MO whose acknowledgement was lost, so the same
-- INFO (or awaiting-information reply) can arrive twice. Like a new case,
-- the same text from the same sender on the same case within the
-- duplicate window is the same note: the message is still recorded and
-- answered, the note is not appended again.
--
-- An opt-out (outcome 'stop') is written here under the sender's lock, so
-- of several opt-outs in flight together only the first is confirmed.

DROP FUNCTION tawasul_record(text, text, text, text, integer, boolean,
	text, text, bigint, text, text, text, text);

CREATE FUNCTION tawasul_record(p_msisdn text, p_short_code text,
	p_channel text, p_link text, p_parts integer, p_complete boolean,
	p_text text, p_outcome text, p_case bigint, p_note text, p_lang text,
	p_reply text, p_reasm_id text,
	p_window interval DEFAULT interval '10 minutes')
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
		IF EXISTS (SELECT 1 FROM case_notes
				WHERE case_id = p_case AND author = 'citizen'
				AND body = v_body
				AND created_at > now() - p_window) THEN
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
