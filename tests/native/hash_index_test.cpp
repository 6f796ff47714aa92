// HashIndex (src/hash_index.h) against std::unordered_map as the oracle: random
// inserts, assigns, finds and erases, with keys chosen to collide (same home slot,
// the same full hash, clusters that wrap around the table's end), through growth
// and clear().
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "hash_index.h"

namespace ssew {
namespace {

// Applies `ops` random operations on keys drawn from `keys` to an index and the
// oracle, checking every result and, every so often, every key.
void RunAgainstOracle(const std::vector<std::string>& keys, size_t ops, uint32_t seed) {
  std::mt19937 rng(seed);
  HashIndex index;
  std::unordered_map<std::string, size_t> oracle;
  std::uniform_int_distribution<size_t> pick(0, keys.size() - 1);
  for (size_t n = 0; n < ops; ++n) {
    const std::string& key = keys[pick(rng)];
    const size_t value = rng();
    const auto it = oracle.find(key);
    switch (rng() % 5) {
      case 0: {  // insert: the first value stays
        const bool added = index.insert(key, value);
        ASSERT_EQ(added, it == oracle.end()) << n;
        oracle.emplace(key, value);
        break;
      }
      case 1:  // assign
        index.assign(key, value);
        oracle[key] = value;
        break;
      case 2: {  // erase
        ASSERT_EQ(index.erase(key), it != oracle.end()) << n;
        oracle.erase(key);
        break;
      }
      case 3: {  // change in place
        size_t* slot = index.find_value(key);
        ASSERT_EQ(slot != nullptr, it != oracle.end()) << n;
        if (slot) *slot = it->second = value;
        break;
      }
      default:
        ASSERT_EQ(index.find(key), it == oracle.end() ? HashIndex::kNone : it->second) << n;
        ASSERT_EQ(index.contains(key), it != oracle.end()) << n;
    }
    ASSERT_EQ(index.size(), oracle.size()) << n;
    if (n % 997 == 0) {
      for (const std::string& k : keys) {
        const auto o = oracle.find(k);
        ASSERT_EQ(index.find(k), o == oracle.end() ? HashIndex::kNone : o->second) << n << " " << k;
      }
    }
  }
  for (const std::string& k : keys) {
    const auto o = oracle.find(k);
    ASSERT_EQ(index.find(k), o == oracle.end() ? HashIndex::kNone : o->second) << k;
  }
}

std::vector<std::string> NumberedKeys(size_t count, const std::string& prefix) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < count; ++i) keys.push_back(prefix + std::to_string(i));
  return keys;
}

// `count` keys whose hashes agree in their low `bits` bits, all equal to `low`:
// they share their home slot in every table of up to 2^bits slots.
std::vector<std::string> CollidingKeys(size_t count, unsigned bits, uint32_t low) {
  std::vector<std::string> keys;
  const uint32_t mask = (uint32_t{1} << bits) - 1;
  for (uint64_t i = 0; keys.size() < count; ++i) {
    std::string key = "k" + std::to_string(i);
    if ((HashIndex::hash_of(key) & mask) == (low & mask)) keys.push_back(std::move(key));
  }
  return keys;
}

TEST(HashIndex, EmptyIndexFindsNothing) {
  HashIndex index;
  EXPECT_EQ(index.find("a"), HashIndex::kNone);
  EXPECT_EQ(index.find(uint64_t{0}), HashIndex::kNone);
  EXPECT_EQ(index.find_value(""), nullptr);
  EXPECT_FALSE(index.erase("a"));
  EXPECT_TRUE(index.empty());
}

TEST(HashIndex, InsertKeepsFirstAssignReplaces) {
  HashIndex index;
  EXPECT_TRUE(index.insert("id", 1));
  EXPECT_FALSE(index.insert("id", 2));
  EXPECT_EQ(index.find("id"), 1u);
  index.assign("id", 3);
  EXPECT_EQ(index.find("id"), 3u);
  EXPECT_TRUE(index.insert("", 4));  // the empty key is a key like any other
  EXPECT_EQ(index.find(""), 4u);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_TRUE(index.erase("id"));
  EXPECT_EQ(index.find("id"), HashIndex::kNone);
  EXPECT_EQ(index.find(""), 4u);
  index.clear();
  EXPECT_EQ(index.find(""), HashIndex::kNone);
  EXPECT_TRUE(index.empty());
  EXPECT_TRUE(index.insert("id", 5));  // usable after clear
  EXPECT_EQ(index.find("id"), 5u);
}

TEST(HashIndex, IntegerKeysAreTheirEightBytes) {
  HashIndex index;
  const uint64_t keys[] = {0, 1, 255, 256, uint64_t{1} << 32, UINT64_MAX, static_cast<uint64_t>(int64_t{-2})};
  for (size_t i = 0; i < std::size(keys); ++i) EXPECT_TRUE(index.insert(keys[i], i));
  for (size_t i = 0; i < std::size(keys); ++i) EXPECT_EQ(index.find(keys[i]), i);
  EXPECT_EQ(index.find(uint64_t{2}), HashIndex::kNone);
  EXPECT_EQ(index.find(HashIndex::int_key(UINT64_MAX).view()), 5u);
  EXPECT_TRUE(index.erase(uint64_t{255}));
  EXPECT_EQ(index.find(uint64_t{255}), HashIndex::kNone);
  EXPECT_EQ(index.find(uint64_t{256}), 3u);
}

TEST(HashIndex, GrowsThroughManyKeys) {
  HashIndex index;
  const auto keys = NumberedKeys(100000, "call_");
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_TRUE(index.insert(keys[i], i));
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(index.find(keys[i]), i);
  EXPECT_EQ(index.find("call_100000"), HashIndex::kNone);
  EXPECT_EQ(index.size(), keys.size());
  for (size_t i = 0; i < keys.size(); i += 2) ASSERT_TRUE(index.erase(keys[i]));
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(index.find(keys[i]), i % 2 ? i : HashIndex::kNone);
}

TEST(HashIndex, RandomOperationsMatchTheOracle) {
  RunAgainstOracle(NumberedKeys(50, "id"), 20000, 1);
  RunAgainstOracle(NumberedKeys(3000, "toolu_"), 200000, 2);
}

TEST(HashIndex, KeysSharingTheirHomeSlot) {
  // 300 keys with one home slot in every table up to 1024 slots: one long cluster,
  // erased from the middle.
  RunAgainstOracle(CollidingKeys(300, 10, 5), 100000, 3);
}

TEST(HashIndex, ClustersThatWrapAroundTheEnd) {
  // Homes in the last slots of every table up to 4096 slots: probes and backward
  // shifts cross from the last slot to the first.
  auto keys = CollidingKeys(150, 12, 0xFFF);
  const auto more = CollidingKeys(150, 12, 0xFFE);
  keys.insert(keys.end(), more.begin(), more.end());
  const auto spread = NumberedKeys(200, "x");
  keys.insert(keys.end(), spread.begin(), spread.end());
  RunAgainstOracle(keys, 150000, 4);
}

TEST(HashIndex, KeysWithTheSameFullHash) {
  // Distinct keys with equal 32-bit hashes: found by the birthday bound among some 400k.
  std::unordered_map<uint32_t, size_t> by_hash;
  std::vector<std::string> keys;
  for (size_t i = 0; keys.size() < 40 && i < 2000000; ++i) {
    const auto [it, added] = by_hash.emplace(HashIndex::hash_of("same" + std::to_string(i)), i);
    if (!added) {
      keys.push_back("same" + std::to_string(it->second));
      keys.push_back("same" + std::to_string(i));
    }
  }
  ASSERT_GE(keys.size(), 20u);
  for (size_t i = 0; i + 1 < keys.size(); i += 2) {
    ASSERT_EQ(HashIndex::hash_of(keys[i]), HashIndex::hash_of(keys[i + 1]));
    ASSERT_NE(keys[i], keys[i + 1]);
  }
  const auto spread = NumberedKeys(40, "y");
  keys.insert(keys.end(), spread.begin(), spread.end());
  RunAgainstOracle(keys, 50000, 5);
}

}  // namespace
}  // namespace ssew
