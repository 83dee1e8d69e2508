#pragma once
// An appendable HDF5 table of plain structs: an extendible, chunked, deflate-compressed
// compound dataset (after HDF5's compound.cpp and extend_ds.cpp examples), with a thin RAII
// handle. Object timestamps are off so the same results give the same bytes.
#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

namespace specsim::analysis::h5 {

// An owned hid_t, closed by the function given at construction.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t));
  Handle(Handle&& o) noexcept;
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

struct Field {
  const char* name;
  std::size_t offset;
  hid_t type;  // a native type, e.g. H5T_NATIVE_DOUBLE, or a string type from string_type()
};

hid_t string_type(std::size_t size);  // fixed-length, NUL-padded; owned by the caller's Handle

class Table {
 public:
  Table(hid_t parent, const std::string& name, std::size_t row_size, const std::vector<Field>& fields,
        std::size_t chunk_rows = 1024);
  void append(const void* rows, std::size_t count);
  hsize_t size() const { return rows_; }
  hid_t dataset() const { return dataset_.get(); }

 private:
  Handle type_, file_type_, dataset_;  // memory layout, and its packed copy stored on disk
  hsize_t rows_ = 0;
};

void check(herr_t status, const char* what);
void set_string_attribute(hid_t object, const std::string& name, const std::string& value);
void set_int_attribute(hid_t object, const std::string& name, long long value);
void set_uint_attribute(hid_t object, const std::string& name, unsigned long long value);
void set_double_attribute(hid_t object, const std::string& name, double value);

}  // namespace specsim::analysis::h5
