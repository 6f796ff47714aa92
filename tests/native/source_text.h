// The text of a file of this repository (SSEW_SOURCE_DIR), for the tests that check a
// table in C++ against its copy in a doc or in web/. An unreadable file fails the test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ssew {

inline std::string read_source(const std::string& path) {
  std::ifstream in(std::string(SSEW_SOURCE_DIR) + "/" + path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ssew
