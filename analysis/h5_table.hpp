#pragma once
// An appendable HDF5 table of plain structs: an extendible, chunked, shuffled and
// deflate-compressed compound dataset (after HDF5's compound.cpp and extend_ds.cpp examples), with
// a thin RAII handle. Object timestamps are off so the same results give the same bytes.
// Rows are packed, shuffled and compressed here, outside HDF5, and each whole chunk is handed to
// H5Dwrite_chunk: Debian's HDF5 is thread-safe through one global lock, and compressing inside it
// (as H5Dwrite's filter pipeline does) made the runs of a sweep wait for each other. The bytes
// stored are those HDF5's own shuffle and deflate filters produce, so any reader decodes them.
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
// File creation properties whose root group records no times (else a file depends on the second
// it was written in).
Handle file_creation_without_times();
// Transfer properties for an H5Dread of `bytes` in memory: a type conversion otherwise gets a
// fresh, zeroed 1 MiB buffer per read (two thirds of what reading a run's summary cost).
Handle transfer_for(std::size_t bytes);

class Table {
 public:
  Table(hid_t parent, const std::string& name, std::size_t row_size, const std::vector<Field>& fields,
        std::size_t chunk_rows = 1024);
  // Rows of `row_size` bytes in the memory layout of `fields`; a chunk is written once it is whole.
  void append(const void* rows, std::size_t count);
  // Writes the last, partial chunk (zero-padded, as HDF5 pads an edge chunk). A table that is not
  // finished lacks its last rows: finish every table before its file is closed.
  void finish();
  hsize_t size() const { return rows_; }
  hid_t dataset() const { return dataset_.get(); }

 private:
  struct Member {
    std::size_t memory_offset, packed_offset, size;
  };
  void write_chunk();

  Handle type_, file_type_, dataset_;  // memory layout, and its packed copy stored on disk
  std::vector<Member> members_;        // in the packed order: by memory offset
  std::size_t row_size_, packed_size_ = 0, chunk_rows_, pending_rows_ = 0;
  std::vector<unsigned char> pending_, shuffled_, compressed_;  // one chunk, packed; and its filtered forms
  hsize_t rows_ = 0, chunks_written_ = 0;
};

void check(herr_t status, const char* what);
void set_string_attribute(hid_t object, const std::string& name, const std::string& value);
void set_int_attribute(hid_t object, const std::string& name, long long value);
void set_uint_attribute(hid_t object, const std::string& name, unsigned long long value);
void set_double_attribute(hid_t object, const std::string& name, double value);

}  // namespace specsim::analysis::h5
