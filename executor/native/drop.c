/*
 * tally-drop UID GID -- PROGRAM [ARGS...]
 *
 * The first program bwrap runs inside a function's sandbox, as root: it drops every privilege and
 * then runs PROGRAM as UID:GID. It is linked statically on purpose. A dynamically linked program
 * started as root (not setuid, so not in the loader's secure mode) would have the dynamic loader
 * honour LD_PRELOAD and its kin from the environment and /etc/ld.so.preload and /etc/ld.so.cache
 * from the sandbox's root, and the C library read locale files named by the environment, all
 * before it dropped anything. For a container image that root is the tenant's own file system and
 * that environment holds the image's ENV: code of the tenant's choosing would run as root with
 * every capability. A static program consults none of them (docs/sandbox.md).
 *
 * What it drops is what `setpriv --reuid --regid --clear-groups --inh-caps=-all
 * --ambient-caps=-all --bounding-set=-all --no-new-privs` drops; then it takes the kernel's
 * keyrings away from the function with a seccomp filter (deny_keyrings).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static void die(const char *what) {
  const char *reason = strerror(errno);
  (void)!write(2, "tally-drop: ", 12);
  (void)!write(2, what, strlen(what));
  (void)!write(2, ": ", 2);
  (void)!write(2, reason, strlen(reason));
  (void)!write(2, "\n", 1);
  _exit(127);
}

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "tally-drop: no keyring filter for this architecture"
#endif

/*
 * The kernel's keyrings are not namespaced, and a uid's user, user session and persistent keyrings
 * outlive its processes: a key an instance stored there was read by the next instance given its uid,
 * of whatever tenant (uids.ts hands a uid out again once its processes are gone). So the function
 * gets no keyring system call at all (add_key, request_key, keyctl fail with ENOSYS, as on a kernel
 * without keys), as Docker's default seccomp profile does. Everything else is allowed.
 */
static void deny_keyrings(void) {
  struct sock_filter filter[24];
  unsigned n = 0;
#define PUT(insn) (filter[n++] = (struct sock_filter)insn)
#define DENY(nr) (PUT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1)), PUT(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS)))
  PUT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
  unsigned native = n;
  PUT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 0)); /* to the other ABIs: jf set below */
  PUT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
  PUT(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~0x40000000U)); /* x32 calls share the numbers, with this bit */
#endif
  DENY(SYS_add_key);
  DENY(SYS_request_key);
  DENY(SYS_keyctl);
  PUT(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  filter[native].jf = (unsigned char)(n - native - 1);
#if defined(__x86_64__)
  /* A 64-bit process may still make 32-bit calls (int 0x80), numbered as on i386. */
  PUT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 7));
  PUT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
  DENY(286); /* add_key */
  DENY(287); /* request_key */
  DENY(288); /* keyctl */
#endif
  PUT(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
#undef DENY
#undef PUT
  struct sock_fprog program = {(unsigned short)n, filter};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) die("keyring filter");
}

static unsigned long id_of(const char *text, const char *what) {
  char *end = NULL;
  errno = 0;
  unsigned long id = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || id == 0 || id > 0xfffffffeUL) {
    errno = EINVAL;
    die(what);
  }
  return id;
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    errno = EINVAL;
    die("usage: tally-drop UID GID -- PROGRAM [ARGS...]");
  }
  uid_t uid = (uid_t)id_of(argv[1], "uid");
  gid_t gid = (gid_t)id_of(argv[2], "gid");

  /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes with the uid below. */
  for (int cap = 0; cap < 64; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) die("bounding set");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) die("ambient set");
  if (setgroups(0, NULL) != 0) die("setgroups");
  if (setresgid(gid, gid, gid) != 0) die("setresgid");
  /* Real, effective and saved uid all non-zero: the kernel clears the permitted and effective sets. */
  if (setresuid(uid, uid, uid) != 0) die("setresuid");
  /*
   * A session keyring of its own: otherwise every instance would possess the executor's (systemd gives
   * each service one), and could read and add keys there. Where keyctl is not there or not allowed
   * (a seccomp filter), the function cannot reach any keyring either.
   */
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS && errno != EPERM && errno != EACCES) {
    die("session keyring");
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) die("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");

  /* Checked, not assumed: nothing of root may be left before the tenant's program runs. */
  uid_t r, e, s;
  gid_t rg, eg, sg;
  if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) die("uid check");
  if (getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid) die("gid check");
  if (getgroups(0, NULL) != 0) die("groups check");
  if (syscall(SYS_capget, &header, data) != 0) die("capget");
  for (int i = 0; i < 2; i++) {
    if (data[i].effective || data[i].permitted || data[i].inheritable) {
      errno = EPERM;
      die("capabilities check");
    }
  }
  if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0) {
    errno = EPERM;
    die("bounding set check");
  }

  /* Last: the drop itself needs keyctl, for the session keyring above. */
  deny_keyrings();
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0 || errno != ENOSYS) {
    errno = EPERM;
    die("keyring filter check");
  }

  execv(argv[4], argv + 4);
  die(argv[4]);
  return 127;
}
