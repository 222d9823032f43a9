#include "request_floor.h"

/* request-floor-c URL BODY: make bench compiles it with cc, beside Sources/CRequestFloor. */
int main(int argc, char **argv) {
    return argc == 3 ? request_floor_post(argv[1], argv[2]) : 64;
}
