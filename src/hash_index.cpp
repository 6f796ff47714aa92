// hash_index.cpp — see hash_index.h.
#include "hash_index.h"

#include <utility>

namespace ssew {

uint32_t HashIndex::hash_of(std::string_view key) {
  uint32_t h = 2166136261u;
  for (const char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  // FNV-1a's low bits (the ones a power-of-two table uses) mix poorly on their own.
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h ? h : 1;
}

const HashIndex::Slot* HashIndex::lookup(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  const uint32_t h = hash_of(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.hash == 0) return nullptr;
    if (slot.hash == h && slot.key == key) return &slot;
  }
}

size_t& HashIndex::place(std::string_view key, bool& added) {
  if (4 * (size_ + 1) > 3 * slots_.size()) grow();
  const uint32_t h = hash_of(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.hash == h && slot.key == key) return slot.value;
    if (slot.hash == 0) {
      slot.key.assign(key);
      slot.hash = h;
      slot.value = 0;
      ++size_;
      added = true;
      return slot.value;
    }
  }
}

void HashIndex::grow() {
  std::vector<Slot> old(slots_.empty() ? 8 : 2 * slots_.size());
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (Slot& from : old) {
    if (from.hash == 0) continue;
    size_t i = from.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = std::move(from);
  }
}

bool HashIndex::erase(std::string_view key) {
  const Slot* found = lookup(key);
  if (!found) return false;
  const size_t mask = slots_.size() - 1;
  size_t hole = static_cast<size_t>(found - slots_.data());
  // Backward shift: an entry after the hole moves into it when the hole lies between
  // its home slot and where it sits, so that every probe sequence stays unbroken.
  for (size_t j = (hole + 1) & mask; slots_[j].hash != 0; j = (j + 1) & mask) {
    const size_t home = slots_[j].hash & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = std::move(slots_[j]);
      hole = j;
    }
  }
  Slot& emptied = slots_[hole];
  emptied.key = std::string();
  emptied.hash = 0;
  --size_;
  return true;
}

void HashIndex::clear() {
  std::vector<Slot>().swap(slots_);
  size_ = 0;
}

}  // namespace ssew
