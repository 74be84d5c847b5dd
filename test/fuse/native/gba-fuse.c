// gba-fuse: one subtree (/sys or /proc) of the simulated kernel of test/sim served as a real file system.
//
// The model itself runs in a Node process (test/fuse/model-server.ts); this program only translates FUSE requests
// into small messages on a unix socket and the answers back. Every libfuse worker thread has its own connection
// and waits on it, so a write the model holds for 0.3 s blocks exactly one thread here and one thread of the
// writer, as a sysfs store blocks in the kernel, while other requests proceed.
//
// libfuse's low-level API (not the path-based one) because libfuse 3.14 has no field for
// FOPEN_PARALLEL_DIRECT_WRITES: the open reply is built by hand so concurrent writes to one attribute from
// different opens are not serialized by the inode lock (sysfs does not serialize them either).
//
// Usage: gba-fuse <mountpoint> <model prefix, e.g. /sys> <socket path>
// Prints "ready" on stdout once mounted; SIGTERM unmounts and exits.
// gba-fuse --probe <empty dir>: mounts, unmounts and exits 0 when this machine lets us mount at all.
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

// linux/fuse.h (kernel 6.2+); not included because its names clash with libfuse's own headers.
#define OPEN_DIRECT_IO (1u << 0)
#define OPEN_PARALLEL_DIRECT_WRITES (1u << 6)
struct open_out {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;
};

static const char *prefix;
static const char *socket_path;

// ---- the connection to the model: one per thread ---------------------------------------------------------------
static pthread_key_t conn_key;

static void close_conn(void *p) { close((int)(intptr_t)p - 1); }

static int conn(void) {
  intptr_t stored = (intptr_t)pthread_getspecific(conn_key);
  if (stored) return (int)stored - 1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, socket_path, sizeof addr.sun_path - 1);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  pthread_setspecific(conn_key, (void *)(intptr_t)(fd + 1));
  return fd;
}

static int full(ssize_t (*io)(int, void *, size_t), int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = io(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}
static ssize_t write_some(int fd, void *buf, size_t len) { return write(fd, buf, len); }

/** Sends `op path\0 data` and waits for `errno payload`; returns the errno (0 = success), EIO when the model is
 * gone. *out (malloc'ed, NUL-terminated) receives the payload when out is given. */
static int ask(char op, const char *rel, const char *data, size_t data_len, char **out, size_t *out_len) {
  int fd = conn();
  if (fd < 0) return EIO;
  size_t path_len = strlen(prefix) + strlen(rel);
  uint32_t len = (uint32_t)(1 + path_len + 1 + data_len);
  char *msg = malloc(4 + len);
  memcpy(msg, &len, 4);
  msg[4] = op;
  sprintf(msg + 5, "%s%s", prefix, rel);
  if (data_len) memcpy(msg + 5 + path_len + 1, data, data_len);
  int failed = full((ssize_t(*)(int, void *, size_t))write_some, fd, msg, 4 + len);
  free(msg);
  uint32_t reply_len;
  int32_t err;
  if (failed || full(read, fd, &reply_len, 4) || reply_len < 4 || full(read, fd, &err, 4)) {
    pthread_setspecific(conn_key, NULL);
    close(fd);
    return EIO;
  }
  size_t payload = reply_len - 4;
  char *buf = malloc(payload + 1);
  if (payload && full(read, fd, buf, payload)) {
    free(buf);
    pthread_setspecific(conn_key, NULL);
    close(fd);
    return EIO;
  }
  buf[payload] = 0;
  if (out) {
    *out = buf;
    if (out_len) *out_len = payload;
  } else {
    free(buf);
  }
  return err;
}

// ---- node ids: the kernel names inodes by number, the model by path ----------------------------------------------
#define BUCKETS 65536
struct node {
  char *rel;
  uint64_t id;
  struct node *next;
};
static struct node *buckets[BUCKETS];
static char **paths;
static uint64_t next_id = 2, capacity;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h % BUCKETS;
}

/** The path (relative to the mount, "" for its root) of a node id; valid for the life of the process. */
static const char *path_of(fuse_ino_t ino) {
  if (ino == FUSE_ROOT_ID) return "";
  pthread_mutex_lock(&table_lock);
  const char *rel = ino < next_id ? paths[ino] : NULL;
  pthread_mutex_unlock(&table_lock);
  return rel;
}

static uint64_t id_of(const char *rel) {
  pthread_mutex_lock(&table_lock);
  unsigned h = hash(rel);
  for (struct node *n = buckets[h]; n; n = n->next) {
    if (strcmp(n->rel, rel) == 0) {
      pthread_mutex_unlock(&table_lock);
      return n->id;
    }
  }
  if (next_id >= capacity) {
    capacity = capacity ? capacity * 2 : 4096;
    paths = realloc(paths, capacity * sizeof *paths);
  }
  struct node *n = malloc(sizeof *n);
  n->rel = strdup(rel);
  n->id = next_id++;
  n->next = buckets[h];
  buckets[h] = n;
  paths[n->id] = n->rel;
  pthread_mutex_unlock(&table_lock);
  return n->id;
}

// ---- attributes -------------------------------------------------------------------------------------------------
/** lstat through the model: 'd', 'l', or 'f' followed by 'r'/'-' and 'w'/'-'. Sizes as sysfs reports them: 4096
 * for an attribute (so a write at offset 0 is never "past EOF", which would take the inode lock exclusively). */
static int model_stat(const char *rel, fuse_ino_t ino, struct stat *st) {
  char *kind = NULL;
  int err = ask('A', rel, NULL, 0, &kind, NULL);
  if (err) {
    free(kind);
    return err;
  }
  memset(st, 0, sizeof *st);
  st->st_ino = ino;
  st->st_nlink = 1;
  st->st_blksize = 4096;
  if (kind[0] == 'd') {
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
  } else if (kind[0] == 'l') {
    st->st_mode = S_IFLNK | 0777;
  } else {
    st->st_mode = S_IFREG | (kind[1] == 'r' ? 0444 : 0) | (kind[2] == 'w' ? 0200 : 0);
    st->st_size = 4096;
  }
  free(kind);
  return 0;
}

static void op_init(void *userdata, struct fuse_conn_info *conn_info) {
  (void)userdata;
  // O_TRUNC must reach us as a setattr we answer with size 4096, not zero the kernel's idea of the size.
  conn_info->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  const char *dir = path_of(parent);
  if (!dir) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  char *rel = malloc(strlen(dir) + strlen(name) + 2);
  sprintf(rel, "%s/%s", dir, name);
  struct fuse_entry_param e = {0};
  int err = model_stat(rel, 0, &e.attr);
  if (err) {
    free(rel);
    fuse_reply_err(req, err);
    return;
  }
  // Names are cached, as sysfs' own dentries are (kernfs revalidates them in the kernel, without a round trip);
  // attributes are not. That is safe for a model whose paths come and go: every operation that reads or writes
  // (getattr, open, readlink, opendir) asks the model by path, so a name cached after its device left answers
  // ENOENT, and a name never seen (or that failed) is always looked up, since an error caches nothing. Without
  // this, each path component cost a lookup round trip on every access: ~14 model requests per open(2).
  e.entry_timeout = 86400;
  e.attr_timeout = 0;
  e.ino = id_of(rel);
  e.attr.st_ino = e.ino;
  free(rel);
  fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)fi;
  const char *rel = path_of(ino);
  struct stat st;
  int err = rel ? model_stat(rel, ino, &st) : ENOENT;
  if (err) fuse_reply_err(req, err);
  else fuse_reply_attr(req, &st, 0);
}

/** O_TRUNC on an attribute: sysfs ignores the size; answer with the attribute as it is. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi) {
  (void)attr;
  (void)to_set;
  op_getattr(req, ino, fi);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  const char *rel = path_of(ino);
  char *target = NULL;
  int err = rel ? ask('L', rel, NULL, 0, &target, NULL) : ENOENT;
  if (err) fuse_reply_err(req, err);
  else fuse_reply_readlink(req, target);
  free(target);
}

// ---- open files ---------------------------------------------------------------------------------------------------
/** One open(2): the model path, and what the first read produced (sysfs fills its buffer on the first read). */
struct handle {
  char *rel;
  char *data;
  size_t len;
  int loaded;
  pthread_mutex_t lock;
  // readdir: the names, NUL-separated, fetched at opendir.
  size_t count;
};

static void reply_open(fuse_req_t req, struct handle *h, uint32_t flags) {
  struct open_out out = {.fh = (uint64_t)(uintptr_t)h, .open_flags = flags};
  if (fuse_reply_buf(req, (const char *)&out, sizeof out) == -ENOENT) {
    // The open was interrupted (the opener was killed): nobody will release it.
    free(h->rel);
    free(h->data);
    free(h);
  }
}

static struct handle *new_handle(const char *rel) {
  struct handle *h = calloc(1, sizeof *h);
  h->rel = strdup(rel);
  pthread_mutex_init(&h->lock, NULL);
  return h;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  const char *rel = path_of(ino);
  char mode[2] = {(char)('0' + (fi->flags & O_ACCMODE)), 0};
  int err = rel ? ask('O', rel, mode, 1, NULL, NULL) : ENOENT;
  if (err) {
    fuse_reply_err(req, err);
    return;
  }
  reply_open(req, new_handle(rel), OPEN_DIRECT_IO | OPEN_PARALLEL_DIRECT_WRITES);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  struct handle *h = (struct handle *)(uintptr_t)fi->fh;
  pthread_mutex_lock(&h->lock);
  if (!h->loaded || off == 0) {
    char *data = NULL;
    size_t len = 0;
    int err = ask('R', h->rel, NULL, 0, &data, &len);
    if (err) {
      pthread_mutex_unlock(&h->lock);
      free(data);
      fuse_reply_err(req, err);
      return;
    }
    free(h->data);
    h->data = data;
    h->len = len;
    h->loaded = 1;
  }
  size_t start = (size_t)off < h->len ? (size_t)off : h->len;
  size_t n = h->len - start < size ? h->len - start : size;
  fuse_reply_buf(req, h->data + start, n);
  pthread_mutex_unlock(&h->lock);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  (void)off;
  struct handle *h = (struct handle *)(uintptr_t)fi->fh;
  // An empty payload still means "write": the model tells the two apart by the path's NUL.
  int err = ask('W', h->rel, buf, size, NULL, NULL);
  if (err) fuse_reply_err(req, err);
  else fuse_reply_write(req, size);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  (void)fi;
  fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  struct handle *h = (struct handle *)(uintptr_t)fi->fh;
  free(h->rel);
  free(h->data);
  pthread_mutex_destroy(&h->lock);
  free(h);
  fuse_reply_err(req, 0);
}

// ---- directories ----------------------------------------------------------------------------------------------------
static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  const char *rel = path_of(ino);
  char *names = NULL;
  size_t len = 0;
  int err = rel ? ask('D', rel, NULL, 0, &names, &len) : ENOENT;
  if (err) {
    free(names);
    fuse_reply_err(req, err);
    return;
  }
  struct handle *h = new_handle(rel);
  h->data = names;
  h->len = len;
  for (size_t i = 0; i < len; i++) h->count += names[i] == 0;
  fi->fh = (uint64_t)(uintptr_t)h;
  if (fuse_reply_open(req, fi) == -ENOENT) {
    free(h->rel);
    free(h->data);
    free(h);
  }
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  struct handle *h = (struct handle *)(uintptr_t)fi->fh;
  char *out = malloc(size);
  size_t used = 0;
  const char *name = h->data;
  for (size_t i = 0; i < h->count; i++, name += strlen(name) + 1) {
    if ((off_t)i < off) continue;
    struct stat st = {.st_ino = i + 2};
    size_t need = fuse_add_direntry(req, out + used, size - used, name, &st, (off_t)i + 1);
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, out, used);
  free(out);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { op_release(req, ino, fi); }

static const struct fuse_lowlevel_ops ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .flush = op_flush,
    .release = op_release,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .releasedir = op_releasedir,
};

int main(int argc, char **argv) {
  int probe = argc == 3 && strcmp(argv[1], "--probe") == 0;
  if (argc != 4 && !probe) {
    fprintf(stderr, "usage: %s <mountpoint> <model prefix> <socket>\n", argv[0]);
    return 2;
  }
  if (probe) {
    argv[1] = argv[2];
  } else {
    prefix = argv[2];
    socket_path = argv[3];
  }
  pthread_key_create(&conn_key, close_conn);
  char *fuse_argv[] = {argv[0], "-o", "fsname=gba-model,subtype=gba-model", NULL};
  struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
  struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
  if (!se) return 1;
  if (fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, argv[1]) != 0) {
    fuse_session_destroy(se);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  if (probe) {
    fuse_session_unmount(se);
    fuse_session_destroy(se);
    return 0;
  }
  struct fuse_loop_config *config = fuse_loop_cfg_create();
  // More threads than the agent can have writes in flight (its pool is at most 128 wide).
  fuse_loop_cfg_set_max_threads(config, 256);
  fuse_loop_cfg_set_idle_threads(config, 256);
  int status = fuse_session_loop_mt(se, config);
  fuse_loop_cfg_destroy(config);
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return status ? 1 : 0;
}
