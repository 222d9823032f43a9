#include "request_floor.h"

#include <dlfcn.h>
#include <stddef.h>

/* libcurl's constants, as curl/curl.h numbers them, so this builds without its headers. */
enum {
    GLOBAL_DEFAULT = 3,
    OPT_URL = 10002,
    OPT_POSTFIELDS = 10015,
    OPT_HTTPHEADER = 10023,
    OPT_FAILONERROR = 45,
};

int request_floor_post(const char *url, const char *body) {
    void *curl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (curl == NULL) return 1;
    int (*global_init)(long) = (int (*)(long))dlsym(curl, "curl_global_init");
    void *(*easy_init)(void) = (void *(*)(void))dlsym(curl, "curl_easy_init");
    int (*setopt)(void *, int, ...) = (int (*)(void *, int, ...))dlsym(curl, "curl_easy_setopt");
    int (*perform)(void *) = (int (*)(void *))dlsym(curl, "curl_easy_perform");
    void *(*append)(void *, const char *) = (void *(*)(void *, const char *))dlsym(curl, "curl_slist_append");
    if (!global_init || !easy_init || !setopt || !perform || !append || global_init(GLOBAL_DEFAULT) != 0) return 1;
    void *handle = easy_init();
    if (handle == NULL) return 1;
    setopt(handle, OPT_URL, url);
    setopt(handle, OPT_POSTFIELDS, body);
    setopt(handle, OPT_HTTPHEADER, append(NULL, "Content-Type: application/json"));
    setopt(handle, OPT_FAILONERROR, 1L);
    return perform(handle) == 0 ? 0 : 1;
}
