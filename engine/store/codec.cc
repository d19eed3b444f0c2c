#include "engine/store/codec.h"

#include <cstring>

#include "engine/store/event_store.h"

namespace relais::codec {
namespace {

void PutFixed64(std::string& out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(buf, 8);
}

uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// A bounds-checked reader over an envelope.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Fixed64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = GetFixed64(in_.data());
    in_.remove_prefix(8);
    return true;
  }
  bool Byte(uint8_t& b) {
    if (in_.empty()) return false;
    b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (in_.empty()) return false;
      auto b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string& s) {
    uint64_t n;
    if (!Varint(n) || n > in_.size()) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  void Rest(std::string& s) {
    s.assign(in_);
    in_ = {};
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeU64Key(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  return out;
}

uint64_t DecodeU64Key(std::string_view key) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

std::string StreamPrefix(std::string_view stream_id) {
  std::string out(stream_id);
  out.push_back('\0');
  return out;
}

std::string StreamKey(std::string_view stream_id, uint64_t version) {
  return StreamPrefix(stream_id) + EncodeU64Key(version);
}

namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t StringSize(size_t n) { return VarintSize(n) + n; }

}  // namespace

size_t EncodedEventSize(const NewEvent& event, std::string_view stream_id, size_t data_json_bytes) {
  return 1 + 8 + 8 + VarintSize(event.schema_version) + StringSize(stream_id.size()) +
         StringSize(event.event_id.size()) + StringSize(event.type.size()) + StringSize(event.metadata.actor.size()) +
         StringSize(event.metadata.causation_id.size()) + StringSize(event.metadata.correlation_id.size()) +
         StringSize(data_json_bytes);
}

std::string EncodeEvent(const NewEvent& event, std::string_view stream_id, TimePoint recorded_at) {
  return EncodeEvent(event, stream_id, recorded_at, event.DataText());
}

std::string EncodeEvent(const NewEvent& event, std::string_view stream_id, TimePoint recorded_at,
                        std::string_view data) {
  std::string out;
  out.reserve(64 + stream_id.size() + event.event_id.size() + event.type.size() + data.size() +
              event.metadata.actor.size());
  out.push_back(static_cast<char>(kEnvelopeFormat));
  PutFixed64(out, 0);  // version, patched by the committer
  PutFixed64(out, static_cast<uint64_t>(ToMicros(recorded_at)));
  PutVarint(out, event.schema_version);
  PutString(out, stream_id);
  PutString(out, event.event_id);
  PutString(out, event.type);
  PutString(out, event.metadata.actor);
  PutString(out, event.metadata.causation_id);
  PutString(out, event.metadata.correlation_id);
  PutString(out, data);
  return out;
}

void PatchVersion(std::string& envelope, uint64_t version) {
  for (int i = 0; i < 8; ++i) envelope[kVersionOffset + i] = static_cast<char>((version >> (8 * i)) & 0xff);
}

StatusOr<RecordedEvent> DecodeEvent(std::string_view envelope, uint64_t position) {
  Reader r(envelope);
  uint8_t format;
  uint64_t version, micros, schema;
  RecordedEvent e;
  if (!r.Byte(format)) return Corruption("empty event envelope at position " + std::to_string(position));
  if (format != kEnvelopeFormat)
    return Corruption("event at position " + std::to_string(position) + " has envelope format " +
                      std::to_string(format) + "; this build reads format " + std::to_string(kEnvelopeFormat));
  if (!r.Fixed64(version) || !r.Fixed64(micros) || !r.Varint(schema) || !r.String(e.stream_id) ||
      !r.String(e.event_id) || !r.String(e.type) || !r.String(e.metadata.actor) || !r.String(e.metadata.causation_id) ||
      !r.String(e.metadata.correlation_id) || !r.String(e.data_json) || !r.done())
    return Corruption("malformed event envelope at position " + std::to_string(position));
  e.version = version;
  e.position = position;
  e.metadata.recorded_at = FromMicros(static_cast<int64_t>(micros));
  e.schema_version = static_cast<uint32_t>(schema);
  return e;
}

std::string EncodeLocation(const EventLocation& loc) {
  std::string out;
  PutFixed64(out, loc.position);
  PutFixed64(out, loc.version);
  out.append(loc.stream_id);
  return out;
}

StatusOr<EventLocation> DecodeLocation(std::string_view value) {
  if (value.size() < 16) return Corruption("malformed event-id index entry");
  EventLocation loc;
  loc.position = GetFixed64(value.data());
  loc.version = GetFixed64(value.data() + 8);
  loc.stream_id.assign(value.substr(16));
  return loc;
}

std::string EncodeSnapshot(const Snapshot& snapshot) {
  std::string out;
  PutFixed64(out, snapshot.version);
  PutString(out, snapshot.schema);
  out.append(snapshot.payload);
  return out;
}

StatusOr<Snapshot> DecodeSnapshot(std::string_view value) {
  Reader r(value);
  Snapshot s;
  if (!r.Fixed64(s.version) || !r.String(s.schema)) return Corruption("malformed snapshot");
  r.Rest(s.payload);
  return s;
}

}  // namespace relais::codec
