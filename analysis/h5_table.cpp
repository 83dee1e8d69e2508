#include "analysis/h5_table.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
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

Handle file_creation_without_times() {
  Handle fcpl(checked(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times");
  return fcpl;
}

Handle transfer_for(std::size_t bytes) {
  Handle dxpl(checked(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"), H5Pclose);
  check(H5Pset_buffer(dxpl.get(), std::max<std::size_t>(bytes, 4096), nullptr, nullptr), "H5Pset_buffer");
  return dxpl;
}

namespace {

constexpr int kDeflateLevel = 4;

// HDF5's shuffle filter: byte j of every element, for j = 0 .. size-1, one plane after another.
void shuffle(const unsigned char* in, unsigned char* out, std::size_t elements, std::size_t size) {
  for (std::size_t j = 0; j < size; ++j)
    for (std::size_t i = 0; i < elements; ++i) out[j * elements + i] = in[i * size + j];
}

}  // namespace

Table::Table(hid_t parent, const std::string& name, std::size_t row_size, const std::vector<Field>& fields,
             std::size_t chunk_rows)
    : row_size_(row_size), chunk_rows_(chunk_rows) {
  type_ = Handle(checked(H5Tcreate(H5T_COMPOUND, row_size), "H5Tcreate"), H5Tclose);
  for (const Field& f : fields) check(H5Tinsert(type_.get(), f.name, f.offset, f.type), "H5Tinsert");
  // Packed on disk: no struct padding (whose bytes are undefined) reaches the file. H5Tpack lays
  // the members out by their memory offset; so does members_.
  file_type_ = Handle(checked(H5Tcopy(type_.get()), "H5Tcopy"), H5Tclose);
  check(H5Tpack(file_type_.get()), "H5Tpack");
  for (const Field& f : fields) members_.push_back({f.offset, 0, H5Tget_size(f.type)});
  std::sort(members_.begin(), members_.end(),
            [](const Member& a, const Member& b) { return a.memory_offset < b.memory_offset; });
  for (Member& m : members_) {
    m.packed_offset = packed_size_;
    packed_size_ += m.size;
  }
  if (packed_size_ != H5Tget_size(file_type_.get())) throw std::logic_error("HDF5 table " + name + ": packed size");
  pending_.assign(chunk_rows_ * packed_size_, 0);
  shuffled_.resize(pending_.size());
  compressed_.resize(compressBound(static_cast<uLong>(pending_.size())));

  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {chunk_rows};
  Handle space(checked(H5Screate_simple(1, dims, maxdims), "H5Screate_simple"), H5Sclose);
  Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "H5Pset_chunk");
  check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "H5Pset_deflate");
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times");
  // Chunks arrive whole and compressed: HDF5's chunk cache would only hold memory.
  Handle dapl(checked(H5Pcreate(H5P_DATASET_ACCESS), "H5Pcreate"), H5Pclose);
  check(H5Pset_chunk_cache(dapl.get(), 0, 0, 1.0), "H5Pset_chunk_cache");
  dataset_ = Handle(checked(H5Dcreate2(parent, name.c_str(), file_type_.get(), space.get(), H5P_DEFAULT,
                                       dcpl.get(), dapl.get()), "H5Dcreate2"), H5Dclose);
}

void Table::append(const void* rows, std::size_t count) {
  const auto* in = static_cast<const unsigned char*>(rows);
  for (std::size_t r = 0; r < count; ++r, in += row_size_) {
    unsigned char* out = pending_.data() + pending_rows_ * packed_size_;
    for (const Member& m : members_) std::memcpy(out + m.packed_offset, in + m.memory_offset, m.size);
    ++rows_;
    if (++pending_rows_ == chunk_rows_) write_chunk();
  }
}

void Table::finish() {
  if (pending_rows_ == 0) return;
  std::fill(pending_.begin() + static_cast<std::ptrdiff_t>(pending_rows_ * packed_size_), pending_.end(), 0);
  write_chunk();
}

void Table::write_chunk() {
  // Shuffle and deflate exactly as HDF5's filters do (zlib's compress2 at the dataset's level),
  // on this thread and outside HDF5's lock.
  shuffle(pending_.data(), shuffled_.data(), chunk_rows_, packed_size_);
  uLongf compressed_size = static_cast<uLongf>(compressed_.size());
  if (compress2(compressed_.data(), &compressed_size, shuffled_.data(), static_cast<uLong>(shuffled_.size()),
                kDeflateLevel) != Z_OK)
    throw std::runtime_error("zlib: compress2 failed");
  hsize_t extent[1] = {rows_}, offset[1] = {chunks_written_ * chunk_rows_};
  check(H5Dset_extent(dataset_.get(), extent), "H5Dset_extent");
  check(H5Dwrite_chunk(dataset_.get(), H5P_DEFAULT, 0, offset, compressed_size, compressed_.data()), "H5Dwrite_chunk");
  ++chunks_written_;
  pending_rows_ = 0;
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
