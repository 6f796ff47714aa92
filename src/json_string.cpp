#include "json_string.h"

#include <algorithm>
#include <cstdint>

#include "size_hints.h"

namespace ssew {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, size_t i, uint32_t& value) {
  if (i + 4 > s.size()) return false;
  value = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int d = hex_digit(s[i + k]);
    if (d < 0) return false;
    value = value * 16 + static_cast<uint32_t>(d);
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool decode_json_string(std::string_view s, std::string& out, LoneSurrogates lone) {
  size_t begin = 0, end = s.size();
  while (begin < end && is_space(s[begin])) ++begin;
  while (end > begin && is_space(s[end - 1])) --end;
  if (end - begin < 2 || s[begin] != '"' || s[end - 1] != '"') return false;
  size_t i = begin + 1;
  const size_t close = end - 1;
  const bool keep_edges = lone == LoneSurrogates::kKeepAtEdges;
  while (i < close) {
    // Copy the run up to the next escape or quote in one go.
    size_t run = i;
    while (run < close && s[run] != '\\' && s[run] != '"' && static_cast<unsigned char>(s[run]) >= 0x20) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == close) break;
    if (s[i] != '\\') return false;  // an unescaped quote or a control character
    if (++i >= close) return false;
    const char e = s[i++];
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        const bool first = i == begin + 3;  // this escape starts the string
        uint32_t cp;
        if (!read_hex4(s.substr(0, close), i, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (i + 6 <= close && s[i] == '\\' && s[i + 1] == 'u' && read_hex4(s.substr(0, close), i + 2, low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else if (!keep_edges || i != close) {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF && !(keep_edges && first)) {
          cp = 0xFFFD;
        }
        append_code_point(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string_view trim_json_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

SSEW_COLD size_t json_nesting_depth(std::string_view json) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

// The code unit of the escape "\uXXXX" at `at` (the backslash), or -1.
int32_t unit_at(std::string_view s, size_t at) {
  uint32_t unit = 0;
  if (at + 2 > s.size() || s[at] != '\\' || s[at + 1] != 'u' || !read_hex4(s, at + 2, unit)) return -1;
  return static_cast<int32_t>(unit);
}

}  // namespace

SSEW_COLD size_t replace_lone_surrogate_escapes(std::string& json) {
  size_t replaced = 0;
  // Escapes only appear after a backslash: text without one is left at once.
  for (size_t at = json.find('\\'); at != std::string::npos; at = json.find('\\', at)) {
    if (at + 1 >= json.size()) break;
    if (json[at + 1] != 'u') {
      at += 2;  // "\\", "\"" and the other two-character escapes
      continue;
    }
    const int32_t unit = unit_at(json, at);
    if (unit < 0xD800 || unit > 0xDFFF) {
      at += 2;
      continue;
    }
    if (unit <= 0xDBFF) {
      const int32_t next = unit_at(json, at + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        at += 12;  // a pair
        continue;
      }
    }
    json.replace(at + 2, 4, "fffd");
    ++replaced;
    at += 6;
  }
  return replaced;
}

void append_json_string(std::string& out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 15]);
      }
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace ssew
