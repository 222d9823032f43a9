#ifndef LLMKIT_CCURL_H
#define LLMKIT_CCURL_H

#include <curl/curl.h>

/* libcurl is opened at run time (dlopen), not linked: loading it and its tree of some thirty
   libraries is most of a start (make bench: startup), and a run that sends no request
   (--help, llm-cost, llm-tools exec, the mock and cmd providers) should not pay for it.
   curl's headers still give every type and constant; the calls go through the entry points
   below, which are valid once llmkit_curl_load() has returned 0. */

/* Opens libcurl and runs curl_global_init, once per process, whichever thread asks first;
   later callers wait for the first. 0 when libcurl is usable, -1 when it is not (see
   llmkit_curl_load_problem). Loading it on another thread from the start of main was
   tried and left out: every thread the run creates must be created first (pthread_create
   waits for a dlopen in progress, glibc's TLS lock), every URL read before the send without
   libcurl (a second URL parser), and exit(3) must wait for the load (OpenSSL's exit
   handler crashes during curl_global_init). Done so, a request gained 0.4-1.4 ms of 13-15,
   the two threads spent 3 ms more CPU between them, and a run that sends nothing (mock,
   cmd) lost 1.3 ms. Tried again from a constructor, before main: a request gained 0.2 ms
   (0.5 ms with no signal thread), a mock run lost 4.6 ms, and perf sched showed why: the
   signal thread's pthread_create waits for the whole load, and the main thread's page
   faults wait on the address space's lock while the loader maps libraries. */
int llmkit_curl_load(void);

/* Why libcurl cannot be used, in words; empty while it can. */
const char *llmkit_curl_load_problem(void);

CURL *llmkit_easy_init(void);
void llmkit_easy_cleanup(CURL *h);
const char *llmkit_easy_strerror(CURLcode code);

/* curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift
   cannot call: each argument kind has its own entry point. */
CURLcode llmkit_easy_setopt_long(CURL *h, CURLoption o, long v);
CURLcode llmkit_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v);
CURLcode llmkit_easy_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode llmkit_easy_setopt_pointer(CURL *h, CURLoption o, void *v);
CURLcode llmkit_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode llmkit_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v);
CURLcode llmkit_easy_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode llmkit_easy_getinfo_double(CURL *h, CURLINFO i, double *v);

struct curl_slist *llmkit_slist_append(struct curl_slist *list, const char *text);
void llmkit_slist_free_all(struct curl_slist *list);

CURLM *llmkit_multi_init(void);
CURLMcode llmkit_multi_cleanup(CURLM *m);
CURLMcode llmkit_multi_setopt_long(CURLM *m, CURLMoption o, long v);
CURLMcode llmkit_multi_add_handle(CURLM *m, CURL *h);
CURLMcode llmkit_multi_remove_handle(CURLM *m, CURL *h);
CURLMcode llmkit_multi_perform(CURLM *m, int *running);
CURLMcode llmkit_multi_poll(CURLM *m, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ready);
CURLMcode llmkit_multi_wakeup(CURLM *m);
CURLMsg *llmkit_multi_info_read(CURLM *m, int *remaining);
/* CURLMsg.data is a union; Swift cannot read a union member by name reliably. */
CURLcode llmkit_msg_result(CURLMsg *m);

CURLU *llmkit_url(void);
void llmkit_url_cleanup(CURLU *u);
CURLUcode llmkit_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
CURLUcode llmkit_url_get(CURLU *u, CURLUPart part, char **content, unsigned int flags);
const char *llmkit_url_strerror(CURLUcode code);
void llmkit_free(void *p);

#endif
