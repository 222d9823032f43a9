#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifdef __APPLE__
#define LLMKIT_LIBCURL "libcurl.4.dylib"
#else
#define LLMKIT_LIBCURL "libcurl.so.4"
#endif

/* libcurl's entry points, found once by llmkit_curl_load. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
    const char *(*url_strerror)(CURLUcode);
    void (*free)(void *);
    curl_version_info_data *(*version_info)(CURLversion);
} api;

/* CURLOPT_PROTOCOLS_STR, which keeps every transfer to http and https, came in 7.85.0; an
   older libcurl ignores it and would follow any scheme it was built with. */
#define LLMKIT_OLDEST_LIBCURL 0x075500

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char problem[512];

static int find(void *library, void **slot, const char *name) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(problem, sizeof problem,
                 "libcurl (%s) cannot be used: it has no %s (llmkit needs 7.85 or later)",
                 LLMKIT_LIBCURL, name);
        return -1;
    }
    return 0;
}

#define FIND(field) find(library, (void **)&api.field, "curl_" #field)

static void load(void) {
    void *library = dlopen(LLMKIT_LIBCURL, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(problem, sizeof problem, "libcurl could not be loaded: %s (Debian: apt-get install libcurl4)",
                 why ? why : LLMKIT_LIBCURL);
        return;
    }
    if (FIND(global_init) || FIND(easy_init) || FIND(easy_cleanup) || FIND(easy_strerror) || FIND(easy_setopt) ||
        FIND(easy_getinfo) || FIND(slist_append) || FIND(slist_free_all) || FIND(multi_init) || FIND(multi_cleanup) ||
        FIND(multi_setopt) || FIND(multi_add_handle) || FIND(multi_remove_handle) || FIND(multi_perform) ||
        FIND(multi_poll) || FIND(multi_wakeup) || FIND(multi_info_read) || FIND(url) || FIND(url_cleanup) ||
        FIND(url_set) || FIND(url_get) || FIND(url_strerror) || FIND(free) || FIND(version_info)) {
        return;
    }
    const curl_version_info_data *version = api.version_info(CURLVERSION_NOW);
    if (version == NULL || version->version_num < LLMKIT_OLDEST_LIBCURL) {
        snprintf(problem, sizeof problem, "libcurl %s (%s) is too old: llmkit needs 7.85 or later",
                 version && version->version ? version->version : "of unknown version", LLMKIT_LIBCURL);
        return;
    }
    CURLcode status = api.global_init(CURL_GLOBAL_DEFAULT);
    if (status != CURLE_OK) {
        snprintf(problem, sizeof problem, "libcurl could not be set up: %s", api.easy_strerror(status));
    }
}

int llmkit_curl_load(void) {
    pthread_once(&load_once, load);
    return problem[0] == 0 ? 0 : -1;
}

const char *llmkit_curl_load_problem(void) {
    pthread_once(&load_once, load);
    return problem;
}

CURL *llmkit_easy_init(void) { return api.easy_init(); }
void llmkit_easy_cleanup(CURL *h) { api.easy_cleanup(h); }
const char *llmkit_easy_strerror(CURLcode code) { return api.easy_strerror(code); }

CURLcode llmkit_easy_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v) { return api.easy_setopt(h, o, v); }
CURLcode llmkit_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }
CURLcode llmkit_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return api.easy_getinfo(h, i, v); }

struct curl_slist *llmkit_slist_append(struct curl_slist *list, const char *text) { return api.slist_append(list, text); }
void llmkit_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }

CURLM *llmkit_multi_init(void) { return api.multi_init(); }
CURLMcode llmkit_multi_cleanup(CURLM *m) { return api.multi_cleanup(m); }
CURLMcode llmkit_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return api.multi_setopt(m, o, v); }
CURLMcode llmkit_multi_add_handle(CURLM *m, CURL *h) { return api.multi_add_handle(m, h); }
CURLMcode llmkit_multi_remove_handle(CURLM *m, CURL *h) { return api.multi_remove_handle(m, h); }
CURLMcode llmkit_multi_perform(CURLM *m, int *running) { return api.multi_perform(m, running); }
CURLMcode llmkit_multi_poll(CURLM *m, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ready) {
    return api.multi_poll(m, extra, count, timeout_ms, ready);
}
CURLMcode llmkit_multi_wakeup(CURLM *m) { return api.multi_wakeup(m); }
CURLMsg *llmkit_multi_info_read(CURLM *m, int *remaining) { return api.multi_info_read(m, remaining); }
CURLcode llmkit_msg_result(CURLMsg *m) { return m->data.result; }

CURLU *llmkit_url(void) { return api.url(); }
void llmkit_url_cleanup(CURLU *u) { api.url_cleanup(u); }
CURLUcode llmkit_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags) {
    return api.url_set(u, part, content, flags);
}
CURLUcode llmkit_url_get(CURLU *u, CURLUPart part, char **content, unsigned int flags) {
    return api.url_get(u, part, content, flags);
}
const char *llmkit_url_strerror(CURLUcode code) { return api.url_strerror(code); }
void llmkit_free(void *p) { api.free(p); }
