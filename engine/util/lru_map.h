// LruMap: a map holding at most `capacity` entries (0 is taken as 1: Put's
// entry is always held); inserting beyond it drops the least recently used
// (found or inserted) entry.
//
// Thread-safety: none; callers hold their own lock.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace relais {

template <class Key, class Value>
class LruMap {
 public:
  explicit LruMap(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry's value, now the most recently used; null when absent.
  Value* Find(const Key& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return &it->second.value;
  }

  // Inserts or replaces; the entry becomes the most recently used.
  Value& Put(const Key& key, Value value) {
    if (Value* existing = Find(key)) return *existing = std::move(value);
    order_.push_front(key);
    auto [it, inserted] = map_.emplace(key, Entry{std::move(value), order_.begin()});
    while (map_.size() > capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
    }
    return it->second.value;
  }

  void Erase(const Key& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    order_.erase(it->second.position);
    map_.erase(it);
  }

  size_t size() const { return map_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    Value value;
    typename std::list<Key>::iterator position;
  };
  size_t capacity_;
  std::list<Key> order_;  // most recent first
  std::unordered_map<Key, Entry> map_;
};

}  // namespace relais
