// The answer clock: when did a function's answer reach the executor's socket?
//
// An invocation's billed duration ends when the runtime's answer has arrived. The executor's event
// loop reads the answer when it gets to it; on a busy executor that can be a millisecond or more
// later, and the wait would be billed (docs/billing-clock.md). This addon watches the runtime's
// Runtime API socket from a thread of its own, which does nothing else: it wakes when bytes arrive,
// counts them (FIONREAD), notes the time, and peeks (MSG_PEEK, nothing consumed) whether they hold
// the whole answer request. When they do, it parks the instance's cgroup (the write the executor
// would make once it reads the answer) and publishes the time with the byte count. The executor
// takes the time only if every byte it read up to the answer's end was among those counted, so a
// runtime cannot end its billed time early by sending something else first.
//
// Plain C with Node-API; Linux only (epoll). JS side: executor/runtime/answer-clock.ts.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE = 0, ARMED = 1, STAMPED = 2 };
// An answer larger than PEEK_MAX, or one still incomplete after LOOKS_MAX arrivals (a runtime sending
// it a few bytes at a time), is left to the executor's own read: the thread's work per invocation is
// bounded whatever the runtime sends.
enum { PREFIX_MAX = 192, PARK_MAX = 64, PEEK_MAX = 64 * 1024, LOOKS_MAX = 16 };

typedef struct {
  pthread_mutex_t mu;
  int state;
  int looks;              // examinations since the arm
  int fd;                 // the socket watched (the executor's; never closed here)
  int park_fd;            // our own dup of the cgroup's CPU control file, or -1
  int park_src;           // the executor's fd it was duplicated from
  size_t prefix_len, park_len;
  char prefix[PREFIX_MAX];  // "POST /2018-06-01/runtime/invocation/<id>/"
  char park[PARK_MAX];      // what parks the group ("1000" on v1, "1000 <period>" on v2)
  int64_t stamp_ns;       // CLOCK_MONOTONIC when `queued` bytes were in the socket
  int64_t queued;
  int parked;             // this thread's park write for the stamped answer landed whole
} slot_t;

static pthread_mutex_t setup_mu = PTHREAD_MUTEX_INITIALIZER;
static slot_t *slots = NULL;
static uint32_t capacity = 0;
static int epfd = -1;
static char *peek_buf = NULL;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

// True when `b` starts with the whole answer request: the expected request line, plain header
// lines, and a body of exactly Content-Length bytes (no chunked encoding). Strict on purpose: this
// decides only whether to park the instance now; anything unusual waits for the executor's own read.
static int whole_answer(const char *b, size_t n, const char *prefix, size_t plen) {
  static const char response[] = "response HTTP/1.1\r\n", error[] = "error HTTP/1.1\r\n";
  if (n < plen || memcmp(b, prefix, plen) != 0) return 0;
  size_t i = plen;
  if (n - i >= sizeof response - 1 && memcmp(b + i, response, sizeof response - 1) == 0) i += sizeof response - 1;
  else if (n - i >= sizeof error - 1 && memcmp(b + i, error, sizeof error - 1) == 0) i += sizeof error - 1;
  else return 0;
  int64_t length = -1;
  for (;;) {
    const char *line = b + i;
    const char *eol = memmem(line, n - i, "\r\n", 2);
    if (!eol) return 0;
    size_t len = (size_t)(eol - line);
    i += len + 2;
    if (len == 0) break;
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line) return 0;
    size_t name_len = (size_t)(colon - line);
    for (size_t k = 0; k < name_len; k++)
      if (!is_tchar((unsigned char)line[k])) return 0;
    if (name_len == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) return 0;
    if (name_len == 14 && strncasecmp(line, "content-length", 14) == 0) {
      if (length >= 0) return 0;
      const char *v = colon + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const char *end = eol;
      while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
      if (v == end || end - v > 9) return 0;
      length = 0;
      for (; v < end; v++) {
        if (*v < '0' || *v > '9') return 0;
        length = length * 10 + (*v - '0');
      }
    }
  }
  if (length < 0) length = 0;
  return (size_t)length <= n - i;
}

// Under the slot's lock, with the slot armed: counts, stamps, peeks; parks and publishes when whole.
static void examine(slot_t *s) {
  if (++s->looks > LOOKS_MAX) {
    s->state = IDLE;
    return;
  }
  int queued = 0;
  if (ioctl(s->fd, FIONREAD, &queued) != 0 || queued <= 0) return;
  // Every one of those bytes was in the socket by now.
  int64_t at = now_ns();
  size_t want = (size_t)queued < PEEK_MAX ? (size_t)queued : PEEK_MAX;
  ssize_t n = recv(s->fd, peek_buf, want, MSG_PEEK | MSG_DONTWAIT);
  if (n <= 0 || !whole_answer(peek_buf, (size_t)n, s->prefix, s->prefix_len)) return;
  s->parked = s->park_fd >= 0 && s->park_len > 0 && pwrite(s->park_fd, s->park, s->park_len, 0) == (ssize_t)s->park_len;
  s->stamp_ns = at;
  s->queued = queued;
  s->state = STAMPED;
}

static void *watch(void *unused) {
  (void)unused;
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(epfd, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    for (int i = 0; i < n; i++) {
      uint32_t index = (uint32_t)events[i].data.u64;
      int fd = (int)(uint32_t)(events[i].data.u64 >> 32);
      if (index >= capacity) continue;
      slot_t *s = &slots[index];
      pthread_mutex_lock(&s->mu);
      if (s->state == ARMED && s->fd == fd) examine(s);
      pthread_mutex_unlock(&s->mu);
    }
  }
}

// The executor's thread spins for a slot's lock rather than sleep on it: the clock's thread holds it
// for a few microseconds, and a sleep and a wake-up would cost more (two system calls, a context
// switch). But a holder preempted on the other CPU can keep it for a scheduler slice (milliseconds),
// and spinning that long would burn the executor's own thread, so after SPINS_MAX tries it sleeps.
enum { SPINS_MAX = 128 };
static void lock_spinning(pthread_mutex_t *mu) {
  for (int i = 0; i < SPINS_MAX; i++) {
    if (pthread_mutex_trylock(mu) == 0) return;
    sched_yield();
  }
  pthread_mutex_lock(mu);
}

// ---- Node-API glue ----

#define CHECK(call)                                                             \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      napi_throw_error(env, NULL, "answer-clock: bad arguments to " #call);     \
      return NULL;                                                              \
    }                                                                           \
  } while (0)

static napi_value boolean(napi_env env, int value) {
  napi_value result;
  napi_get_boolean(env, value != 0, &result);
  return result;
}

static slot_t *slot_arg(napi_env env, napi_value value) {
  uint32_t index;
  if (napi_get_value_uint32(env, value, &index) != napi_ok || index >= capacity) {
    napi_throw_range_error(env, NULL, "answer-clock: no such slot");
    return NULL;
  }
  return &slots[index];
}

// The slot named by a call's one argument (parked, release).
static slot_t *only_slot_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "answer-clock: bad arguments");
    return NULL;
  }
  return slot_arg(env, argv[0]);
}

// start(capacity): allocates the slots and starts the thread (once per process). True when running.
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t want;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_uint32(env, argv[0], &want));
  pthread_mutex_lock(&setup_mu);
  int ok = slots != NULL;
  if (!ok && want > 0) {
    slots = calloc(want, sizeof(slot_t));
    peek_buf = malloc(PEEK_MAX);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (slots && peek_buf && epfd >= 0) {
      for (uint32_t k = 0; k < want; k++) {
        pthread_mutex_init(&slots[k].mu, NULL);
        slots[k].fd = slots[k].park_fd = slots[k].park_src = -1;
      }
      capacity = want;
      ok = pthread_create(&thread, &attr, watch, NULL) == 0;
      if (!ok) capacity = 0;
      // Its name in ps, top and perf (docs/operations.md), where the process's other threads are all "node".
      else pthread_setname_np(thread, "answer-clock");
    }
    pthread_attr_destroy(&attr);
  }
  pthread_mutex_unlock(&setup_mu);
  return boolean(env, ok);
}

// arm(slot, socketFd, fresh, prefix, parkFd, parkValue): watch the socket for this invocation's answer.
// `fresh`: a socket not armed on before, registered with epoll now; it stays registered (edge-
// triggered) until it is closed, so arming it again costs no system call. parkFd is the executor's
// open cgroup control file (-1: nothing to park). False when the socket cannot be watched (then the
// executor's own read ends the billed time, as without this addon).
static napi_value arm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  bool fresh;
  int32_t fd, park_src;
  char prefix[PREFIX_MAX], park[PARK_MAX];
  size_t prefix_len, park_len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  slot_t *s = slot_arg(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_get_value_int32(env, argv[1], &fd));
  CHECK(napi_get_value_bool(env, argv[2], &fresh));
  CHECK(napi_get_value_string_latin1(env, argv[3], prefix, sizeof prefix, &prefix_len));
  CHECK(napi_get_value_int32(env, argv[4], &park_src));
  CHECK(napi_get_value_string_latin1(env, argv[5], park, sizeof park, &park_len));
  if (prefix_len >= sizeof prefix - 1 || park_len >= sizeof park - 1 || fd < 0) return boolean(env, 0);
  lock_spinning(&s->mu);
  if (park_src != s->park_src) {
    if (s->park_fd >= 0) close(s->park_fd);
    s->park_fd = park_src >= 0 ? fcntl(park_src, F_DUPFD_CLOEXEC, 0) : -1;
    s->park_src = park_src;
  }
  memcpy(s->prefix, prefix, prefix_len);
  s->prefix_len = prefix_len;
  memcpy(s->park, park, park_len);
  s->park_len = park_len;
  s->fd = fd;
  s->stamp_ns = 0;
  s->queued = 0;
  s->parked = 0;
  s->looks = 0;
  s->state = ARMED;
  pthread_mutex_unlock(&s->mu);
  if (!fresh) return boolean(env, 1);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0};
  ev.data.u64 = (uint64_t)(s - slots) | ((uint64_t)(uint32_t)fd << 32);
  int rc = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  if (rc != 0 && errno == EEXIST) rc = epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
  if (rc != 0) {
    lock_spinning(&s->mu);
    s->state = IDLE;
    pthread_mutex_unlock(&s->mu);
  }
  return boolean(env, rc == 0);
}

// stamp(slot, bytes, disarm): the time (CLOCK_MONOTONIC ns, as a double) by which the answer was whole
// in the socket, provided at least `bytes` bytes were queued then; -2 when the clock saw an answer but
// fewer bytes (the executor read something else first); -1 otherwise. With `disarm` (the
// executor took the answer) the thread no longer touches the slot, nor parks its group, until the next
// arm; without it (a timeout asking whether the answer came in time) the slot stays as it is.
static napi_value stamp(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  double bytes;
  bool disarm;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  slot_t *s = slot_arg(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_get_value_double(env, argv[1], &bytes));
  CHECK(napi_get_value_bool(env, argv[2], &disarm));
  lock_spinning(&s->mu);
  double at = s->state != STAMPED ? -1 : (double)s->queued >= bytes ? (double)s->stamp_ns : -2;
  if (disarm) s->state = IDLE;
  pthread_mutex_unlock(&s->mu);
  napi_value result;
  napi_create_double(env, at, &result);
  return result;
}

// parked(slot): whether the thread parked the instance's group for the answer it stamped since the
// last arm (its write landed whole). The executor then need not write the same again.
static napi_value parked(napi_env env, napi_callback_info info) {
  slot_t *s = only_slot_arg(env, info);
  if (!s) return NULL;
  lock_spinning(&s->mu);
  int landed = s->parked;
  pthread_mutex_unlock(&s->mu);
  return boolean(env, landed);
}

// release(slot): disarms and lets go of the slot's copy of the cgroup control file.
static napi_value release(napi_env env, napi_callback_info info) {
  slot_t *s = only_slot_arg(env, info);
  if (!s) return NULL;
  lock_spinning(&s->mu);
  s->state = IDLE;
  if (s->park_fd >= 0) close(s->park_fd);
  s->park_fd = s->park_src = s->fd = -1;
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

// now(): CLOCK_MONOTONIC in ns (a double), to place the stamps on performance.now()'s scale.
static napi_value now(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_double(env, (double)now_ns(), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"arm", NULL, arm, NULL, NULL, NULL, napi_default, NULL},
      {"stamp", NULL, stamp, NULL, NULL, NULL, napi_default, NULL},
      {"parked", NULL, parked, NULL, NULL, NULL, napi_default, NULL},
      {"release", NULL, release, NULL, NULL, NULL, napi_default, NULL},
      {"now", NULL, now, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

#ifndef NODE_GYP_MODULE_NAME
#define NODE_GYP_MODULE_NAME answer_clock
#endif
NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
