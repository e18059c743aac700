// The readers every section of the loader uses: a problem is added where a value is not what the
// format says (docs/workflow-format.md), with its path; nothing throws.
#include <algorithm>

#include "loader.hpp"

namespace orderflow {
using namespace detail;

namespace {
struct Span {
    const char* const* first;
    const char* const* last;
    const char* const* begin() const { return first; }
    const char* const* end() const { return last; }
};
}  // namespace

std::string detail::at(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string detail::at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string detail::q(std::string_view s) { return quoteExcerpt(s, 64); }

void Loader::add(std::string path, std::string message) {
    if (problems.size() < kMaxProblems) problems.push_back({std::move(path), std::move(message)});
    else ++dropped;
}

const json* Loader::get(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

bool Loader::object(const json& v, const std::string& path) {
    if (v.is_object()) return true;
    add(path, "expected an object, got " + kindOf(v));
    return false;
}

void Loader::keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) {
    keys(obj, path, allowed.begin(), allowed.end());
}

void Loader::keys(const json& obj, const std::string& path, const char* const* first, const char* const* last) {
    const auto allowed = [&] { return Span{first, last}; };
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool ok = false;
        const std::string_view k = it.key();
        for (const char* a : allowed())  // the first character first: fewer calls to compare
            if (!k.empty() && k[0] == a[0] && k == a) {
                ok = true;
                break;
            }
        if (!ok) {
            std::string list;
            for (const char* a : allowed()) list += (list.empty() ? "" : ", ") + std::string(a);
            add(at(path, validId(it.key()) ? it.key() : q(it.key())), "unknown key (expected one of: " + list + ")");
        }
    }
}

bool Loader::text(const json& v, const std::string& path, std::string& out, std::size_t maxChars, bool allowEmpty) {
    return text(v, path, nullptr, out, maxChars, allowEmpty);
}

bool Loader::text(const json& v, const std::string& path, const char* key, std::string& out, std::size_t maxChars, bool allowEmpty) {
    auto where = [&] { return key ? at(path, key) : path; };
    if (!v.is_string()) {
        add(where(), "expected a string, got " + kindOf(v));
        return false;
    }
    const auto& s = *v.get_ptr<const std::string*>();
    if (!validUtf8(s)) {
        add(where(), "not valid UTF-8");
        return false;
    }
    if (hasControl(s)) {
        add(where(), "contains control characters");
        return false;
    }
    if (s.empty() && !allowEmpty) {
        add(where(), "must not be empty");
        return false;
    }
    if (utf8Length(s) > maxChars) {
        add(where(), "longer than " + std::to_string(maxChars) + " characters");
        return false;
    }
    out = s;
    return true;
}

bool Loader::textKey(const json& obj, const char* key, const std::string& path, bool required, std::string& out, std::size_t maxChars,
                     bool allowEmpty) {
    const json* v = get(obj, key);
    if (!v) {
        if (required) add(at(path, key), "missing (required)");
        return false;
    }
    return text(*v, path, key, out, maxChars, allowEmpty);
}

bool Loader::idKey(const json& obj, const char* key, const std::string& path, std::string& out) {
    const json* v = get(obj, key);
    if (!v) {
        add(at(path, key), "missing (required)");
        return false;
    }
    if (!v->is_string()) {
        add(at(path, key), "expected a string, got " + kindOf(*v));
        return false;
    }
    const auto& s = *v->get_ptr<const std::string*>();
    if (s.empty()) {
        add(at(path, key), "must not be empty");
        return false;
    }
    if (!validId(s)) {
        add(at(path, key), "invalid id " + q(s) + " (use at most 64 letters, digits, '_', '.', '-', not starting with '.' or '-')");
        return false;
    }
    out = s;
    return true;
}

void Loader::boolKey(const json& obj, const char* key, const std::string& path, bool& out) {
    const json* v = get(obj, key);
    if (!v) return;
    if (!v->is_boolean()) {
        add(at(path, key), "expected true or false, got " + kindOf(*v));
        return;
    }
    out = v->get<bool>();
}

const json* Loader::arrayKey(const json& obj, const char* key, const std::string& path, bool required, std::size_t min, std::size_t max,
                             const char* what) {
    const json* v = get(obj, key);
    if (!v) {
        if (required) add(at(path, key), "missing (required)");
        return nullptr;
    }
    if (!v->is_array()) {
        add(at(path, key), "expected an array, got " + kindOf(*v));
        return nullptr;
    }
    if (v->size() < min || v->size() > max) {
        add(at(path, key),
            "expected " + std::to_string(min) + " to " + std::to_string(max) + " " + what + ", got " + std::to_string(v->size()));
        return v->size() > max ? nullptr : v;
    }
    return v;
}

std::vector<int> Loader::refs(const json& obj, const char* key, const std::string& path, bool required,
                              const std::map<std::string, int, std::less<>>& index, const char* what) {
    std::vector<int> out;
    const json* arr = arrayKey(obj, key, path, required, required ? 1 : 0, kMaxListed, what);
    if (!arr) return out;
    const std::string p = at(path, key);
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const json& v = (*arr)[i];
        if (!v.is_string()) {
            add(at(p, i), "expected a string, got " + kindOf(v));
            continue;
        }
        const auto& s = *v.get_ptr<const std::string*>();
        auto it = index.find(s);
        if (it == index.end()) {
            std::string w(what);
            if (!w.empty() && w.back() == 's') w.pop_back();
            add(at(p, i), "unknown " + w + " " + q(s));
            continue;
        }
        if (std::find(out.begin(), out.end(), it->second) != out.end()) {
            add(at(p, i), "listed twice: " + q(s));
            continue;
        }
        out.push_back(it->second);
    }
    return out;
}

}  // namespace orderflow
