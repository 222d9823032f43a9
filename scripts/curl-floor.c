/* The startup floor for anything that links Debian's libcurl: load it (and its tree of
 * libraries), print its version, exit. make bench compares every tool's --version and
 * --help with this. */
#include <curl/curl.h>
#include <stdio.h>

int main(void) {
    puts(curl_version());
    return 0;
}
