#include "analysis/h5_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace specsim::analysis::h5 {

void check(herr_t status, const char* what) {
  if (status < 0) throw std::runtime_error(std::string("HDF5: ") + what + " failed");
}

static hid_t checked(hid_t id, const char* what) {
  if (id < 0) throw std::runtime_error(std::string("HDF5: ") + what + " failed");
  return id;
}

Handle::Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
Handle::Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = std::exchange(o.id_, -1);
    close_ = o.close_;
  }
  return *this;
}
Handle::~Handle() {
  if (id_ >= 0 && close_) close_(id_);
}

hid_t string_type(std::size_t size) {
  hid_t t = checked(H5Tcopy(H5T_C_S1), "H5Tcopy");
  check(H5Tset_size(t, size), "H5Tset_size");
  check(H5Tset_strpad(t, H5T_STR_NULLTERM), "H5Tset_strpad");
  check(H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset");  // labels and scenario text are UTF-8
  return t;
}

Table::Table(hid_t parent, const std::string& name, std::size_t row_size, const std::vector<Field>& fields,
             std::size_t chunk_rows) {
  type_ = Handle(checked(H5Tcreate(H5T_COMPOUND, row_size), "H5Tcreate"), H5Tclose);
  for (const Field& f : fields) check(H5Tinsert(type_.get(), f.name, f.offset, f.type), "H5Tinsert");
  // Packed on disk: no struct padding (whose bytes are undefined) reaches the file.
  file_type_ = Handle(checked(H5Tcopy(type_.get()), "H5Tcopy"), H5Tclose);
  check(H5Tpack(file_type_.get()), "H5Tpack");

  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {chunk_rows};
  Handle space(checked(H5Screate_simple(1, dims, maxdims), "H5Screate_simple"), H5Sclose);
  Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "H5Pset_chunk");
  check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
  check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate");
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times");
  dataset_ = Handle(checked(H5Dcreate2(parent, name.c_str(), file_type_.get(), space.get(), H5P_DEFAULT,
                                       dcpl.get(), H5P_DEFAULT), "H5Dcreate2"), H5Dclose);
}

void Table::append(const void* rows, std::size_t count) {
  if (count == 0) return;
  hsize_t new_size[1] = {rows_ + count};
  check(H5Dset_extent(dataset_.get(), new_size), "H5Dset_extent");
  Handle file_space(checked(H5Dget_space(dataset_.get()), "H5Dget_space"), H5Sclose);
  hsize_t start[1] = {rows_}, n[1] = {count};
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, n, nullptr), "H5Sselect_hyperslab");
  Handle mem_space(checked(H5Screate_simple(1, n, nullptr), "H5Screate_simple"), H5Sclose);
  // The conversion from the padded memory rows to the packed file rows needs a buffer; HDF5's
  // default is a fresh, zeroed 1 MiB per write (page faults on every append). Size it to the rows.
  Handle dxpl(checked(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"), H5Pclose);
  check(H5Pset_buffer(dxpl.get(), std::max<std::size_t>(count * H5Tget_size(type_.get()), 4096), nullptr, nullptr),
        "H5Pset_buffer");
  check(H5Dwrite(dataset_.get(), type_.get(), mem_space.get(), file_space.get(), dxpl.get(), rows), "H5Dwrite");
  rows_ += count;
}

void set_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type(string_type(value.size() + 1), H5Tclose);
  Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle attr(checked(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                      "H5Acreate2"), H5Aclose);
  check(H5Awrite(attr.get(), type.get(), value.c_str()), "H5Awrite");
}

namespace {

void set_scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* value) {
  Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle attr(checked(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"),
              H5Aclose);
  check(H5Awrite(attr.get(), type, value), "H5Awrite");
}

}  // namespace

void set_int_attribute(hid_t object, const std::string& name, long long value) {
  set_scalar_attribute(object, name, H5T_NATIVE_LLONG, &value);
}

void set_uint_attribute(hid_t object, const std::string& name, unsigned long long value) {
  set_scalar_attribute(object, name, H5T_NATIVE_ULLONG, &value);
}

void set_double_attribute(hid_t object, const std::string& name, double value) {
  set_scalar_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}

}  // namespace specsim::analysis::h5
