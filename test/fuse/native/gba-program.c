// gba-program: the fake `ip` and `modprobe` on the FUSE model's PATH. Copied into a bin directory under the names
// it answers to; it hands its name and arguments to the model (model.sock beside it) and prints and exits as the
// model's program says (test/sim/programs.ts, ip-vf-program.ts). The agent gives programs only PATH and LC_ALL,
// so the socket is found next to the executable itself, not through the environment.
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int full_read(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) return 127;
  exe[n] = 0;
  char dir[4096], base[4096];
  strcpy(dir, exe);
  strcpy(base, exe);
  char *name = basename(base);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s/model.sock", dirname(dir));

  // `X` name \0 arg \0 arg …, framed like gba-fuse's requests.
  size_t len = 1 + strlen(name) + 1;
  for (int i = 1; i < argc; i++) len += strlen(argv[i]) + 1;
  char *msg = malloc(4 + len), *p = msg + 5;
  uint32_t frame = (uint32_t)len;
  memcpy(msg, &frame, 4);
  msg[4] = 'X';
  p = stpcpy(p, name) + 1;
  for (int i = 1; i < argc; i++) p = stpcpy(p, argv[i]) + 1;

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || write(fd, msg, 4 + len) != (ssize_t)(4 + len)) {
    fprintf(stderr, "%s (simulated): the kernel model at %s is not reachable\n", name, addr.sun_path);
    return 127;
  }
  // Answer: errno (unused), then exit code \0 stdout \0 stderr.
  uint32_t reply_len;
  int32_t err;
  if (full_read(fd, &reply_len, 4) || reply_len < 4 || full_read(fd, &err, 4)) return 127;
  char *reply = calloc(1, reply_len - 4 + 1);
  if (full_read(fd, reply, reply_len - 4)) return 127;
  int code = atoi(reply);
  char *out = reply + strlen(reply) + 1;
  char *errtext = out + strlen(out) + 1;
  fputs(out, stdout);
  fputs(errtext, stderr);
  return code;
}
