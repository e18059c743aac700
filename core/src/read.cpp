// A small JSON reader for the plain JSON the engine is mostly given: what JSON.stringify writes
// (the JS facade's arguments) and the built-in workflows (core/workflows/*.json). It builds the
// same values nlohmann's parser builds (integers as unsigned/signed, other numbers by strtod, a
// repeated key keeps its last value) with bulk string copies instead of one call per character,
// and runs far less code than nlohmann's lexer and parser: at start-up (the first built-in
// workflow, the first calls) that code would be compiled and run cold.
//
// The text must be valid UTF-8 (not checked here). Anything unusual (nesting deeper than
// maxDepth, odd numbers, anything that is not JSON) returns false, and
// the caller falls back to nlohmann's parser, which has the last word.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "orderflow/workflow.hpp"

namespace orderflow {
namespace {

class PlainReader {
public:
    PlainReader(std::string_view text, int maxDepth) : p_(text.data()), end_(text.data() + text.size()), maxDepth_(maxDepth) {}

    bool read(json& out) {
        if (!value(out, 0)) return false;
        space();
        return p_ == end_;
    }

private:
    const char* p_;
    const char* end_;
    int maxDepth_;

    // JSON whitespace between tokens (none in JSON.stringify's output, some in the built-ins)
    void space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    bool value(json& out, int depth) {
        space();
        if (p_ == end_) return false;
        switch (*p_) {
            case '{': return object(out, depth + 1);
            case '[': return array(out, depth + 1);
            case '"': {
                std::string s;
                if (!string(s)) return false;
                out = std::move(s);
                return true;
            }
            case 't': out = true; return literal("true");
            case 'f': out = false; return literal("false");
            case 'n': out = nullptr; return literal("null");
            default: return number(out);
        }
    }

    bool object(json& out, int depth) {
        if (depth > maxDepth_) return false;
        ++p_;
        out = json::object();
        auto& map = out.get_ref<json::object_t&>();
        space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        for (;;) {
            std::string key;
            space();
            if (p_ == end_ || *p_ != '"' || !string(key)) return false;
            space();
            if (p_ == end_ || *p_ != ':') return false;
            ++p_;
            // read straight into the member (a repeated key: into the earlier one, replacing it)
            if (!value(map[std::move(key)], depth)) return false;
            space();
            if (p_ == end_) return false;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ == '}') {
                ++p_;
                return true;
            }
            return false;
        }
    }

    bool array(json& out, int depth) {
        if (depth > maxDepth_) return false;
        ++p_;
        out = json::array();
        auto& list = out.get_ref<json::array_t&>();
        space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            list.emplace_back();
            if (!value(list.back(), depth)) return false;
            space();
            if (p_ == end_) return false;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ == ']') {
                ++p_;
                return true;
            }
            return false;
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool unit(unsigned& u) {  // the 4 hex digits after "\u"
        if (end_ - p_ < 4) return false;
        u = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hex(p_[i]);
            if (h < 0) return false;
            u = u * 16 + static_cast<unsigned>(h);
        }
        p_ += 4;
        return true;
    }

    // Most strings have no escape: a tight loop finds the closing quote, and only a string with an
    // escape (or a control character) goes on in escaped(), after the loop. Tight matters at
    // start-up: V8 hands a wasm function to its optimising compiler (on another thread, which
    // competes with the main one on a busy machine) once its loops and calls have run through
    // enough of its machine code, and this loop runs for every character of every key and string.
    bool string(std::string& out) {
        ++p_;  // opening quote
        const char* run = p_;
        while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
        if (p_ < end_ && *p_ == '"') {
            out.assign(run, static_cast<std::size_t>(p_ - run));
            ++p_;
            return true;
        }
        return escaped(out, run);
    }

    bool escaped(std::string& out, const char* run) {
        while (p_ < end_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out.append(run, static_cast<std::size_t>(p_ - run));
                ++p_;
                return true;
            }
            if (c < 0x20) return false;
            if (c != '\\') {
                ++p_;
                continue;
            }
            out.append(run, static_cast<std::size_t>(p_ - run));
            if (++p_ == end_) return false;
            const char e = *p_++;
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
                    unsigned u;
                    if (!unit(u)) return false;
                    // A surrogate pair is one character. A lone surrogate (JSON.stringify writes
                    // one as an escape) is kept as its own 3-byte sequence (WTF-8), which is not
                    // valid UTF-8: "\ud800" and "\udc00" stay distinct (store ids never collide),
                    // text checks refuse them, and answers show U+FFFD.
                    if (u >= 0xd800 && u <= 0xdbff && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
                        const char* back = p_;
                        p_ += 2;
                        unsigned low;
                        if (unit(low) && low >= 0xdc00 && low <= 0xdfff) u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
                        else p_ = back;
                    }
                    char buf[4];
                    std::size_t n;
                    if (u < 0x80) {
                        buf[0] = static_cast<char>(u);
                        n = 1;
                    } else if (u < 0x800) {
                        buf[0] = static_cast<char>(0xc0 | (u >> 6));
                        buf[1] = static_cast<char>(0x80 | (u & 0x3f));
                        n = 2;
                    } else if (u < 0x10000) {
                        buf[0] = static_cast<char>(0xe0 | (u >> 12));
                        buf[1] = static_cast<char>(0x80 | ((u >> 6) & 0x3f));
                        buf[2] = static_cast<char>(0x80 | (u & 0x3f));
                        n = 3;
                    } else {
                        buf[0] = static_cast<char>(0xf0 | (u >> 18));
                        buf[1] = static_cast<char>(0x80 | ((u >> 12) & 0x3f));
                        buf[2] = static_cast<char>(0x80 | ((u >> 6) & 0x3f));
                        buf[3] = static_cast<char>(0x80 | (u & 0x3f));
                        n = 4;
                    }
                    out.append(buf, n);
                    break;
                }
                default: return false;
            }
            run = p_;
        }
        return false;
    }

    bool number(json& out) {
        const char* start = p_;
        const bool negative = p_ < end_ && *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
        if (*p_ == '0') ++p_;
        else
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        bool integer = true;
        if (p_ < end_ && *p_ == '.') {
            integer = false;
            ++p_;
            if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        }
        const std::size_t length = static_cast<std::size_t>(p_ - start);
        if (integer) {
            std::uint64_t magnitude = 0;
            bool fits = length <= 20;
            for (const char* q = start + (negative ? 1 : 0); fits && q < p_; ++q) {
                const auto d = static_cast<std::uint64_t>(*q - '0');
                if (magnitude > (UINT64_MAX - d) / 10) fits = false;
                else magnitude = magnitude * 10 + d;
            }
            if (fits && !negative) {
                out = json::number_unsigned_t(magnitude);
                return true;
            }
            if (fits && magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                out = json::number_integer_t(
                    magnitude == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude));
                return true;
            }
        }
        if (length >= 64) return false;  // leave the unusual to nlohmann
        char buf[64];
        std::memcpy(buf, start, length);
        buf[length] = '\0';
        const double value = std::strtod(buf, nullptr);
        if (!std::isfinite(value)) return false;  // 1e999: nlohmann refuses it ("number overflow")
        out = json::number_float_t(value);
        return true;
    }
};

}  // namespace

bool readPlainJson(std::string_view text, json& out, int maxDepth) { return PlainReader(text, maxDepth).read(out); }

}  // namespace orderflow
