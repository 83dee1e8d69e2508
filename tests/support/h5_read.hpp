#pragma once
// Reads every dataset of an HDF5 file as raw bytes in its stored (packed) type, for comparing
// result files table by table.
#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

namespace specsim::testing {

inline std::map<std::string, std::vector<char>> read_all_datasets(const std::string& path) {
  std::map<std::string, std::vector<char>> out;
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return out;
  auto visit = [](hid_t obj, const char* name, const H5O_info_t* info, void* data) -> herr_t {
    if (info->type != H5O_TYPE_DATASET) return 0;
    auto& result = *static_cast<std::map<std::string, std::vector<char>>*>(data);
    hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t type = H5Dget_type(ds);
    hid_t space = H5Dget_space(ds);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<char> bytes(n * H5Tget_size(type));
    if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    result[name] = std::move(bytes);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(ds);
    return 0;
  };
  H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &out);
  H5Fclose(file);
  return out;
}

}  // namespace specsim::testing
