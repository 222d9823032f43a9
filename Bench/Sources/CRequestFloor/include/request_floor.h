#ifndef REQUEST_FLOOR_H
#define REQUEST_FLOOR_H

/* POSTs the JSON body to url with libcurl, opened at run time as llmkit opens it, and writes
   the reply body to stdout. 0 when the exchange succeeded with a 2xx status. */
int request_floor_post(const char *url, const char *body);

#endif
