/* logring.c: see logring.h. The ring is a circular buffer of records, a
 * 4-byte length then the line; records are numbered (seq), and a follower
 * keeps the number and the offset of the next record it has to send: the
 * offset stays right as long as the record is kept (seq >= first). */
#include "config.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "supervisor/logring.h"

#define HDR 4
/* A follower's buffer: the lines taken from the ring and not yet written
 * (a longer line is sent in parts of this size). */
#define OUT_MAX (32 * 1024)

struct follower {
	struct logring *ring;
	int fd;
	ev_io wio, rio;
	uint64_t seq;      /* next record to send */
	size_t off;        /* its offset in the ring, valid while seq >= ring->first */
	size_t rec_done;   /* bytes of that record already taken (a long one) */
	char out[OUT_MAX];
	size_t out_len, out_off;
	bool of_service;   /* asked for by one of tend's services */
	struct follower *next;
};

struct logring {
	struct ev_loop *loop;
	char *buf;
	size_t size, start, used;
	uint64_t first, next; /* seq of the oldest record kept, of the next one */
	struct follower *followers;
};

static size_t n_followers, n_service_followers;

size_t logring_followers(void) { return n_followers; }

int logring_new(struct ev_loop *loop, size_t size, struct logring **ret)
{
	struct logring *r = calloc(1, sizeof(*r));
	if (!r || size <= HDR || !(r->buf = malloc(size))) {
		free(r);
		return -ENOMEM;
	}
	r->loop = loop;
	r->size = size;
	*ret = r;
	return 0;
}

/* ---- the ring ---------------------------------------------------------- */

/* An offset into the ring. They are below twice its size (start < size,
 * used <= size), so a subtraction does, not a division: five divisions a
 * line were a fifth of what relaying `log = json` cost. */
static size_t wrap(const struct logring *r, size_t off)
{
	return off < r->size ? off : off < 2 * r->size ? off - r->size : off % r->size;
}

static void ring_read(const struct logring *r, size_t off, void *dst, size_t n)
{
	off = wrap(r, off);
	size_t a = r->size - off < n ? r->size - off : n;
	memcpy(dst, r->buf + off, a);
	memcpy((char *)dst + a, r->buf, n - a);
}

static void ring_write(struct logring *r, size_t off, const void *src, size_t n)
{
	off = wrap(r, off);
	size_t a = r->size - off < n ? r->size - off : n;
	memcpy(r->buf + off, src, a);
	memcpy(r->buf, (const char *)src + a, n - a);
}

static uint32_t rec_len(const struct logring *r, size_t off)
{
	uint32_t len;
	ring_read(r, off, &len, HDR);
	return len;
}

void logring_append(struct logring *r, const char *line, size_t len)
{
	if (!r)
		return;
	if (len > r->size - HDR)
		len = r->size - HDR;
	while (r->used + HDR + len > r->size) {
		size_t drop = HDR + rec_len(r, r->start);
		r->start = wrap(r, r->start + drop);
		r->used -= drop;
		r->first++;
	}
	uint32_t l = (uint32_t)len;
	size_t at = r->start + r->used;
	ring_write(r, at, &l, HDR);
	ring_write(r, at + HDR, line, len);
	r->used += HDR + len;
	r->next++;
	/* Written from the loop, once the socket is writable: every line
	 * appended until then goes out in one write. */
	for (struct follower *f = r->followers; f; f = f->next)
		if (!ev_is_active(&f->wio))
			ev_io_start(r->loop, &f->wio);
}

/* The offset of the first of the last n records (0: all) whose lines
 * ("= LINE\n" each) take at most max bytes. */
static size_t tail_start(const struct logring *r, size_t n, size_t max, uint64_t *ret_seq)
{
	uint64_t seq = r->first;
	size_t off = r->start;
	/* A record is HDR bytes and the line in the ring, 3 and the line
	 * in the answer. */
	size_t bytes = r->used - (size_t)(r->next - r->first) * (HDR - 3);
	while (seq < r->next && ((n > 0 && r->next - seq > n) || bytes > max)) {
		uint32_t len = rec_len(r, off);
		bytes -= len + 3;
		off = wrap(r, off + HDR + len);
		seq++;
	}
	*ret_seq = seq;
	return off;
}

int logring_tail(const struct logring *r, size_t n, size_t max, int (*put)(void *ud, const void *p, size_t len),
		 void *ud)
{
	uint64_t seq, asked = n > 0 && r->next - r->first > n ? r->next - n : r->first;
	size_t off = tail_start(r, n, max, &seq);
	char line[16384];
	int k;
	if (seq > asked) {
		int w = snprintf(line, sizeof(line), "! %llu older lines left out: more than one answer holds "
				 "(-f shows them)\n", (unsigned long long)(seq - asked));
		if ((k = put(ud, line, (size_t)w)) < 0)
			return k;
	}
	for (; seq < r->next; seq++) {
		uint32_t len = rec_len(r, off);
		if ((k = put(ud, "= ", 2)) < 0)
			return k;
		for (uint32_t done = 0; done < len;) {
			uint32_t part = len - done < sizeof(line) ? len - done : (uint32_t)sizeof(line);
			ring_read(r, off + HDR + done, line, part);
			if ((k = put(ud, line, part)) < 0)
				return k;
			done += part;
		}
		if ((k = put(ud, "\n", 1)) < 0)
			return k;
		off = wrap(r, off + HDR + len);
	}
	return 0;
}

/* ---- followers --------------------------------------------------------- */

static void follower_free(struct follower *f)
{
	struct logring *r = f->ring;
	ev_io_stop(r->loop, &f->wio);
	ev_io_stop(r->loop, &f->rio);
	safe_close(f->fd);
	for (struct follower **p = &r->followers; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	n_followers--;
	if (f->of_service)
		n_service_followers--;
	free(f);
}

/* Take what the ring has for f into its buffer. */
static void fill(struct follower *f)
{
	struct logring *r = f->ring;
	if (f->out_off == f->out_len)
		f->out_off = f->out_len = 0;
	if (f->seq < r->first) {
		/* The ring dropped lines f had not read: say how many, go on
		 * from the oldest kept. */
		if (f->out_len + 64 > OUT_MAX)
			return;
		if (f->rec_done) /* the end of the line it was in the middle of */
			f->out[f->out_len++] = '\n';
		f->out_len += (size_t)snprintf(f->out + f->out_len, 64, "! %llu lines lost\n",
					       (unsigned long long)(r->first - f->seq));
		f->seq = r->first;
		f->off = r->start;
		f->rec_done = 0;
	}
	while (f->seq < r->next) {
		uint32_t len = rec_len(r, f->off);
		size_t room = OUT_MAX - f->out_len;
		if (room < 4)
			return;
		if (f->rec_done == 0) {
			/* A whole line when it fits; a long one in parts. */
			if (len + 3 > room && f->out_len > 0)
				return;
			memcpy(f->out + f->out_len, "= ", 2);
			f->out_len += 2;
			room -= 2;
		}
		size_t part = len - f->rec_done;
		if (part > room - 1)
			part = room - 1;
		ring_read(r, f->off + HDR + f->rec_done, f->out + f->out_len, part);
		f->out_len += part;
		f->rec_done += part;
		if (f->rec_done < len)
			return;
		f->out[f->out_len++] = '\n';
		f->rec_done = 0;
		f->off = wrap(r, f->off + HDR + len);
		f->seq++;
	}
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct follower *f = w->data;
	for (;;) {
		if (f->out_off == f->out_len)
			fill(f);
		if (f->out_off == f->out_len) {
			ev_io_stop(loop, w); /* caught up: until the next line */
			return;
		}
		ssize_t n = send(f->fd, f->out + f->out_off, f->out_len - f->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* the watcher stays: when it takes more */
		if (n <= 0) {
			follower_free(f); /* gone */
			return;
		}
		f->out_off += (size_t)n;
	}
}

/* The client says nothing after its request: a read is its end. Bytes
 * end the follower (read on and on, they would cost tend a read each);
 * so does a hang-up (both sides closed); a client that merely shut down
 * its sending side still reads. */
static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct follower *f = w->data;
	char buf[1];
	ssize_t n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	struct pollfd p = { .fd = f->fd, .events = POLLOUT };
	if (n != 0 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))) {
		follower_free(f);
		return;
	}
	ev_io_stop(loop, w);
}

int logring_follow(struct logring *r, int fd, size_t n, bool of_service)
{
	if (n_followers >= LOGRING_MAX_FOLLOWERS ||
	    (of_service && n_service_followers >= LOGRING_MAX_SERVICE_FOLLOWERS)) {
		safe_close(fd);
		return -EBUSY;
	}
	struct follower *f = calloc(1, sizeof(*f));
	if (!f) {
		safe_close(fd);
		return -ENOMEM;
	}
	f->ring = r;
	f->fd = fd;
	f->of_service = of_service;
	f->off = tail_start(r, n, SIZE_MAX, &f->seq);
	ev_io_init(&f->wio, write_cb, fd, EV_WRITE);
	ev_io_init(&f->rio, read_cb, fd, EV_READ);
	f->wio.data = f->rio.data = f;
	f->next = r->followers;
	r->followers = f;
	n_followers++;
	if (of_service)
		n_service_followers++;
	ev_io_start(r->loop, &f->wio);
	ev_io_start(r->loop, &f->rio);
	return 0;
}

struct logring *logring_free(struct logring *r)
{
	if (!r)
		return NULL;
	while (r->followers) {
		/* Best effort: what fits at once, then the end. */
		struct follower *f = r->followers;
		(void)!send(f->fd, f->out + f->out_off, f->out_len - f->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)!send(f->fd, "OK\n", 3, MSG_DONTWAIT | MSG_NOSIGNAL);
		follower_free(f);
	}
	free(r->buf);
	free(r);
	return NULL;
}
