#include "cli/cli.h"

int main(int argc, char** argv) { return cscx::cli::run(argc, argv); }
