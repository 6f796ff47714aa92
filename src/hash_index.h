// hash_index.h — a small hash index from keys to positions (size_t), for the
// decoders' and MessageState's lookups by id and by number.
//
// Why not std::unordered_map: the core used four instantiations of it (and one
// std::map), each a separate copy of libc++'s bucket and rehash code (with
// std::__next_prime) in the wasm. This is one class, one copy, used for all of them:
//   * keys are byte strings (ids); a 64-bit integer key (an index, a number) is
//     looked up as its 8 bytes, through the uint64_t overloads, so integer and
//     string keys share the code. The two kinds must not be mixed in one index.
//   * lookups take a std::string_view: no std::string is built to find an id.
//   * values are size_t, usually a position in a vector the owner keeps.
//
// Complexity: insert, find and erase are O(1) expected (plus the key's length for
// hashing and comparing), never a scan of the entries. Open addressing with linear
// probing in a power-of-two table that doubles when it would pass 3/4 full (a slot's
// stored hash makes a probe past another key cheap); erase shifts the following
// entries back (no tombstones), so a table with many erases stays as fast as a fresh
// one. The hash is unseeded, like std::hash (FNV-1a with a final mix).
//
// Nothing depends on an order: there is no iteration. Memory: a slot (a std::string,
// a size_t and a 32-bit hash: 20 bytes in wasm32) per table entry, 3/8 to 3/4 of
// them used, so 27 to 53 bytes a key in wasm32, plus the key bytes beyond the
// string's inline buffer; the owners charge what they keep to
// MessageState::reserve() as before (kEntryBytes, 64, an entry: protocols/kit.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssew {

class HashIndex {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // The value of `key`, or kNone.
  size_t find(std::string_view key) const {
    const Slot* slot = lookup(key);
    return slot ? slot->value : kNone;
  }
  size_t find(uint64_t key) const { return find(int_key(key).view()); }
  // A pointer to the value of `key`, to change it in place; nullptr when absent.
  // Valid until the next insert, assign or erase.
  size_t* find_value(std::string_view key) {
    Slot* slot = const_cast<Slot*>(lookup(key));
    return slot ? &slot->value : nullptr;
  }
  bool contains(std::string_view key) const { return lookup(key) != nullptr; }

  // Adds `key` -> `value` unless `key` is present (then the old value stays).
  // Returns whether it was added.
  bool insert(std::string_view key, size_t value) {
    bool added = false;
    size_t& slot = place(key, added);
    if (added) slot = value;
    return added;
  }
  bool insert(uint64_t key, size_t value) { return insert(int_key(key).view(), value); }
  // Sets `key` -> `value`, replacing any old value.
  void assign(std::string_view key, size_t value) {
    bool added = false;
    place(key, added) = value;
  }
  void assign(uint64_t key, size_t value) { assign(int_key(key).view(), value); }

  // Removes `key`; returns whether it was present.
  bool erase(std::string_view key);
  bool erase(uint64_t key) { return erase(int_key(key).view()); }

  void clear();
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The hash of a key (never 0). Public for tests, which build colliding keys.
  static uint32_t hash_of(std::string_view key);
  // The bytes a 64-bit key is looked up as, little-endian.
  struct IntKey {
    char bytes[8];
    std::string_view view() const { return std::string_view(bytes, sizeof bytes); }
  };
  static IntKey int_key(uint64_t key) {
    IntKey k;
    for (int i = 0; i < 8; ++i) k.bytes[i] = static_cast<char>(key >> (8 * i));
    return k;
  }

 private:
  struct Slot {
    std::string key;
    size_t value = 0;
    uint32_t hash = 0;  // 0: empty (a key's hash is never 0)
  };
  const Slot* lookup(std::string_view key) const;
  // The value of `key`, added (value 0, `added` set) when absent.
  size_t& place(std::string_view key, bool& added);
  void grow();

  std::vector<Slot> slots_;  // empty, or a power of two, at least 4/3 of size_
  size_t size_ = 0;
};

}  // namespace ssew
