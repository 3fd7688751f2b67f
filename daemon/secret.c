/*
 * secret.c - loads and creates the secret file (SPEC §4, §9).
 *
 * Owns nothing beyond the caller's struct secret. Refuses a file that
 * group or others may access, like ssh does with private keys, and never
 * puts key material into an error message. Does not rotate keys: a new
 * ref_key changes how future sequence values map to references (existing
 * references stay valid; they are stored).
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_FILE_MAX 4096

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
parse_hex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void
secret_wipe(struct secret *s)
{
	explicit_bzero(s, sizeof(*s));
}

/* One "name = hex" line (NUL-terminated, no newline); 0 or -EINVAL. */
static int
parse_line(char *line, struct secret *s, int *have_ref, int *have_log,
	   const char **why)
{
	char *eq = strchr(line, '=');
	size_t klen, vlen;
	char *v;

	*why = "expected 'name = hex'";
	if (!eq)
		return -EINVAL;
	klen = strcspn(line, " \t=");
	if (line + klen + strspn(line + klen, " \t") != eq)
		return -EINVAL;
	v = eq + 1 + strspn(eq + 1, " \t");
	vlen = strcspn(v, " \t\r");
	if (v[vlen + strspn(v + vlen, " \t\r")] != '\0')
		return -EINVAL;
	if (klen == 7 && strncmp(line, "ref_key", 7) == 0) {
		*why = "ref_key needs 64 hex digits";
		*have_ref =
			parse_hex(v, vlen, s->ref_key, sizeof(s->ref_key)) == 0;
		return *have_ref ? 0 : -EINVAL;
	}
	if (klen == 7 && strncmp(line, "log_key", 7) == 0) {
		*why = "log_key needs 32 hex digits";
		*have_log =
			parse_hex(v, vlen, s->log_key, sizeof(s->log_key)) == 0;
		return *have_log ? 0 : -EINVAL;
	}
	*why = "unknown key";
	return -EINVAL;
}

int
secret_parse(const char *label, const char *text, size_t len, struct secret *s,
	     char *err, size_t errlen)
{
	char line[256];
	int have_ref = 0, have_log = 0, lineno = 0;
	const char *why;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		if (n >= sizeof(line) || memchr(text + pos, '\0', n)) {
			snprintf(err, errlen, "secret file %s:%d: %s", label,
				 lineno,
				 n >= sizeof(line) ? "line too long"
						   : "NUL byte in line");
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;

		char *l = line + strspn(line, " \t\r");
		if (*l == '#' || *l == '\0')
			continue;
		if (parse_line(l, s, &have_ref, &have_log, &why) < 0) {
			snprintf(err, errlen, "secret file %s:%d: %s", label,
				 lineno, why);
			goto fail;
		}
	}
	if (!have_ref || !have_log) {
		snprintf(err, errlen, "secret file %s: missing %s", label,
			 have_ref ? "log_key" : "ref_key");
		goto fail;
	}
	explicit_bzero(line, sizeof(line));
	return 0;
fail:
	explicit_bzero(line, sizeof(line));
	secret_wipe(s);
	return -EINVAL;
}

int
secret_load(const char *path, struct secret *s, char *err, size_t errlen)
{
	char buf[SECRET_FILE_MAX + 1];
	struct stat st;
	size_t len = 0;
	int rc = -EINVAL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "secret file %s: %s", path,
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "secret file %s: not a regular file",
			 path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "secret file %s: mode %04o lets group or others in; "
			 "chmod 600 it",
			 path, (unsigned)(st.st_mode & 07777));
		rc = -EPERM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "secret file %s: %s", path,
				 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SECRET_FILE_MAX) {
			snprintf(err, errlen, "secret file %s: over %d bytes",
				 path, SECRET_FILE_MAX);
			goto out;
		}
	}
	rc = secret_parse(path, buf, len, s, err, errlen);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	if (rc < 0)
		secret_wipe(s);
	return rc;
}

static void
hex(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
secret_generate(const char *path, char *err, size_t errlen)
{
	struct secret s;
	char ref[65], lg[33], text[512];
	int fd, rc = 0, n;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s)) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	hex(ref, s.ref_key, sizeof(s.ref_key));
	hex(lg, s.log_key, sizeof(s.log_key));
	n = snprintf(text, sizeof(text),
		     "# Tawasul Gateway secret keys. Keep mode 0600, back it "
		     "up, never share it.\n"
		     "# ref_key permutes reference numbers; log_key hashes "
		     "phone numbers in logs.\n"
		     "ref_key = %s\nlog_key = %s\n",
		     ref, lg);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "secret file %s: %s", path,
			 strerror(errno));
		goto out;
	}
	if (write(fd, text, (size_t)n) != n || fsync(fd) < 0) {
		rc = -EIO;
		snprintf(err, errlen, "secret file %s: write failed", path);
		unlink(path);
	}
	close(fd);
out:
	explicit_bzero(text, sizeof(text));
	explicit_bzero(ref, sizeof(ref));
	explicit_bzero(lg, sizeof(lg));
	secret_wipe(&s);
	return rc;
}
