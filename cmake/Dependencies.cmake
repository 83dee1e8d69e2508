# Every dependency comes from Debian's packages (see .ci/install-deps).
find_package(Boost 1.74 REQUIRED)             # Boost.Random is header-only
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(HDF5 1.10 REQUIRED COMPONENTS C)
find_package(ZLIB REQUIRED)                   # result chunks compressed outside HDF5's lock (zlib1g-dev)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL 7.80 REQUIRED)              # live runs: libcurl's multi interface (libcurl4-openssl-dev)
