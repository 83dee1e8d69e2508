// specsim: the command line. Exit codes: 0 success, 2 bad input, 1 internal error.
#include "tools/specsim/cli.hpp"

int main(int argc, char** argv) { return specsim::app::main(argc, argv); }
