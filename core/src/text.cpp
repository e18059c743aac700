// Text helpers: UTF-8, excerpts, numbers as JavaScript writes them, ids, colours, templates.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "internal.hpp"

namespace orderflow {

std::string Problem::text() const { return path.empty() ? message : path + ": " + message; }

std::string Loaded::error() const {
    std::string out;
    for (const auto& p : problems) {
        if (!out.empty()) out += '\n';
        out += p.text();
    }
    return out;
}

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not a valid one (declared in
// orderflow/text.hpp: the wasm bindings' JSON writer uses it too).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    std::size_t n;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (d & 0x3F);
    }
    if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return n;
}

namespace detail {

bool validUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII, the usual case: no call
            ++i;
            continue;
        }
        const std::size_t n = utf8SequenceLength(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::size_t utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool hasControl(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return true;
        if (c == 0x7F) return true;
        // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F
        if (c == 0xC2 && i + 1 < s.size()) {
            const auto d = static_cast<unsigned char>(s[i + 1]);
            if (d >= 0x80 && d <= 0x9F) return true;
        }
        // Bidirectional formatting controls, which make text display in another order than it is
        // stored (a note that reads reversed): U+061C (D8 9C), U+200E..U+200F (E2 80 8E..8F),
        // U+202A..U+202E (E2 80 AA..AE), U+2066..U+2069 (E2 81 A6..A9).
        if (c == 0xD8 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9C) return true;
        if (c == 0xE2 && i + 2 < s.size()) {
            const auto d = static_cast<unsigned char>(s[i + 1]);
            const auto e = static_cast<unsigned char>(s[i + 2]);
            if (d == 0x80 && (e == 0x8E || e == 0x8F || (e >= 0xAA && e <= 0xAE))) return true;
            if (d == 0x81 && e >= 0xA6 && e <= 0xA9) return true;
        }
    }
    return false;
}

bool isBlank(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
    return true;
}

std::string jsonDump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string quoteExcerpt(std::string_view s, std::size_t maxChars) {
    // Cut at a character boundary (invalid bytes count as one character each; dump replaces them).
    std::size_t i = 0, chars = 0;
    while (i < s.size() && chars < maxChars) {
        const std::size_t n = utf8SequenceLength(s, i);
        i += n == 0 ? 1 : n;
        ++chars;
    }
    std::string cut(s.substr(0, i));
    std::string out = jsonDump(json(cut));
    if (i < s.size()) out.insert(out.size() - 1, "...");
    return out;
}

std::string jsNumberText(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
    if (v == 0) return "0";
    std::string sign = v < 0 ? "-" : "";
    const double a = std::fabs(v);
    char buf[64];
    int prec = 1;
    for (; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*e", prec - 1, a);
        if (std::strtod(buf, nullptr) == a) break;
    }
    // buf = d[.ddd]e[+-]XX
    std::string digits;
    const char* p = buf;
    for (; *p && *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9') digits += *p;
    const int exp10 = *p == 'e' ? std::atoi(p + 1) : 0;
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    const int k = static_cast<int>(digits.size());
    const int n = exp10 + 1;
    std::string out;
    if (k <= n && n <= 21) {
        out = digits + std::string(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out = digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out = "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    } else {
        out = digits.substr(0, 1);
        if (k > 1) out += "." + digits.substr(1);
        out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
    }
    return sign + out;
}

bool storeIdText(const json& v, std::string& out) {
    switch (v.type()) {
        case json::value_t::string: out = *v.get_ptr<const std::string*>(); return true;
        case json::value_t::number_integer: out = std::to_string(*v.get_ptr<const json::number_integer_t*>()); return true;
        case json::value_t::number_unsigned: out = std::to_string(*v.get_ptr<const json::number_unsigned_t*>()); return true;
        case json::value_t::number_float: out = jsNumberText(*v.get_ptr<const json::number_float_t*>()); return true;
        default: return false;
    }
}

bool validId(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!word && !(i > 0 && (c == '.' || c == '-'))) return false;
    }
    return true;
}

bool validColor(std::string_view s) {
    if (s.size() != 4 && s.size() != 5 && s.size() != 7 && s.size() != 9) return false;
    if (s[0] != '#') return false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        const char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
}

std::string kindOf(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::object: return "an object";
        case json::value_t::array: return "an array";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: return "a number";
        default: return "an unsupported value";
    }
}

const char* const kMsgKeys[kMsgCount] = {
    "invalid_status",       "unknown_role",      "terminal_status",      "invalid_transition", "read_only",
    "forbidden_role",       "forbidden_store",   "forbidden_store_none", "missing_field",      "field_unknown",
    "field_not_applicable", "field_type_text",   "field_choice",         "field_too_long",     "field_encoding",
    "field_control",        "fields_not_object", "field_unknown_more",   "order_not_found",    "not_authorized",
};

const char* const kMsgDefaults[kMsgCount] = {
    "Invalid status value. Must be one of: {statuses}",
    "{role} is not a role in {workflow}.",
    "{from} is a final status: this order can no longer change.",
    "An order cannot move from {from} to {to}.",
    "The {role} role can view orders but cannot change their status.",
    "The {role} role may not move an order from {from} to {to}.",
    "This order belongs to a store you are not assigned to.",
    "This order has no store, so only roles covering every store may change it.",
    "{field} is required to move an order to {to}.",
    "{key} is not a field of {workflow}.",
    "{field} does not apply when moving an order to {to}.",
    "{field} must be text.",
    "{field} must be one of: {values}.",
    "{field} is too long: at most {max} characters.",
    "{field} is not valid UTF-8 text.",
    "{field} contains control characters.",
    "Fields must be given as an object of field values.",
    "{count} more keys are not fields of {workflow}.",
    "Order not found",
    "Not authorized to update order status",
};

namespace {
bool nameChar(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
}  // namespace

std::vector<std::string> placeholders(std::string_view t) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{') continue;
        std::size_t j = i + 1;
        while (j < t.size() && nameChar(t[j])) ++j;
        if (j < t.size() && t[j] == '}' && j > i + 1) {
            out.emplace_back(t.substr(i + 1, j - i - 1));
            i = j;
        }
    }
    return out;
}

std::string render(std::string_view t, Vars vars) {
    std::string out;
    out.reserve(t.size() + 32);
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '{') {
            std::size_t j = i + 1;
            while (j < t.size() && nameChar(t[j])) ++j;
            if (j < t.size() && t[j] == '}' && j > i + 1) {
                const std::string_view name = t.substr(i + 1, j - i - 1);
                bool done = false;
                for (const auto& [k, v] : vars)
                    if (k == name) {
                        out += v;
                        done = true;
                        break;
                    }
                if (done) {
                    i = j;
                    continue;
                }
            }
        }
        out += t[i];
    }
    return out;
}

}  // namespace detail
}  // namespace orderflow
