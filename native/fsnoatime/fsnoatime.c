// Lists a folder without moving its access time. Node's fs.readdir opens the folder without
// O_NOATIME, and on a writable mount (relatime) getdents then updates the folder's atime whenever it
// is not newer than its mtime: a change to the evidence's metadata. Linux honours O_NOATIME on a
// folder's descriptor too (iterate_dir -> file_accessed checks the open flags), but allows it only to
// the owner or a holder of CAP_FOWNER; otherwise the folder is opened without it, read-only all the
// same, and the caller is told so.
//
// N-API only (no V8 or libuv headers): one build serves every Node and Electron version.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct name_list {
  char **names;
  size_t count;
  size_t capacity;
};

static void free_names(struct name_list *list) {
  for (size_t i = 0; i < list->count; i++) free(list->names[i]);
  free(list->names);
}

static int push_name(struct name_list *list, const char *name) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 64;
    char **grown = realloc(list->names, capacity * sizeof(char *));
    if (grown == NULL) return -1;
    list->names = grown;
    list->capacity = capacity;
  }
  char *copy = strdup(name);
  if (copy == NULL) return -1;
  list->names[list->count++] = copy;
  return 0;
}

// The names Node gives the same errors (libuv's), so that callers read `code` as they do for fs.
static const char *errno_code(int err) {
  switch (err) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EIO: return "EIO";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EINVAL: return "EINVAL";
    case EOVERFLOW: return "EOVERFLOW";
    case ESTALE: return "ESTALE";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case EUCLEAN: return "EUCLEAN";
    default: return "UNKNOWN";
  }
}

// Throws an Error shaped like Node's fs errors: "CODE: reason, syscall 'path'" with code, errno
// (negative, as Node has it), syscall and path.
static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *code = errno_code(err);
  char reason[128];
  snprintf(reason, sizeof reason, "%s", strerror(err));
  if (reason[0] >= 'A' && reason[0] <= 'Z' && !(reason[1] >= 'A' && reason[1] <= 'Z')) reason[0] += 'a' - 'A';
  size_t size = strlen(code) + strlen(reason) + strlen(syscall) + strlen(path) + 16;
  char *message = malloc(size);
  if (message == NULL) {
    napi_throw_error(env, code, reason);
    return;
  }
  snprintf(message, size, "%s: %s, %s '%s'", code, reason, syscall, path);
  napi_value msg, error, value;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, NULL, msg, &error) != napi_ok) {
    free(message);
    napi_throw_error(env, code, reason);
    return;
  }
  free(message);
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, error, "code", value);
  if (napi_create_int32(env, -err, &value) == napi_ok) napi_set_named_property(env, error, "errno", value);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, error, "syscall", value);
  if (napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, error, "path", value);
  napi_throw(env, error);
}

// Opens the folder read-only, never following a link (a folder swapped for a link since it was
// examined fails instead of leading out of the source). Sets *noatime to whether O_NOATIME held.
static int open_folder(const char *path, int *noatime) {
  const int base = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(path, base | O_NOATIME);
  if (fd >= 0 || errno != EPERM) {
    *noatime = 1;
    return fd;
  }
  *noatime = 0;
  return open(path, base);
}

// readdirNoAtime(path: Buffer): { names: Buffer[], noAtime: boolean }
// Every name in the folder but '.' and '..', as the bytes on disk, in the order the kernel gives.
static napi_value readdir_noatime(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  bool is_buffer = false;
  if (argc < 1 || napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "readdirNoAtime: the path must be a Buffer");
    return NULL;
  }
  void *data;
  size_t length;
  if (napi_get_buffer_info(env, argv[0], &data, &length) != napi_ok) return NULL;
  if (length == 0 || memchr(data, 0, length) != NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "readdirNoAtime: the path must be non-empty and hold no NUL byte");
    return NULL;
  }
  char *path = malloc(length + 1);
  if (path == NULL) {
    throw_errno(env, ENOMEM, "open", "");
    return NULL;
  }
  memcpy(path, data, length);
  path[length] = '\0';

  int noatime = 0;
  int fd = open_folder(path, &noatime);
  if (fd < 0) {
    throw_errno(env, errno, "open", path);
    free(path);
    return NULL;
  }
  DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    int err = errno;
    close(fd);
    throw_errno(env, err, "fdopendir", path);
    free(path);
    return NULL;
  }
  struct name_list list = {0};
  int err = 0;
  for (;;) {
    errno = 0;
    struct dirent *entry = readdir(dir);
    if (entry == NULL) {
      err = errno;
      break;
    }
    const char *n = entry->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    if (push_name(&list, n) != 0) {
      err = ENOMEM;
      break;
    }
  }
  closedir(dir);
  if (err != 0) {
    free_names(&list);
    throw_errno(env, err, "readdir", path);
    free(path);
    return NULL;
  }
  free(path);

  napi_value result = NULL, names, flag;
  napi_status status = napi_create_array_with_length(env, list.count, &names);
  for (size_t i = 0; status == napi_ok && i < list.count; i++) {
    napi_value name;
    status = napi_create_buffer_copy(env, strlen(list.names[i]), list.names[i], NULL, &name);
    if (status == napi_ok) status = napi_set_element(env, names, (uint32_t)i, name);
  }
  free_names(&list);
  if (status == napi_ok) status = napi_create_object(env, &result);
  if (status == napi_ok) status = napi_set_named_property(env, result, "names", names);
  if (status == napi_ok) status = napi_get_boolean(env, noatime != 0, &flag);
  if (status == napi_ok) status = napi_set_named_property(env, result, "noAtime", flag);
  return status == napi_ok ? result : NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "readdirNoAtime", NAPI_AUTO_LENGTH, readdir_noatime, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "readdirNoAtime", fn) != napi_ok) return NULL;
  return exports;
}
