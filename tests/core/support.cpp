#include "support.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace oftest {

WorkflowPtr builtin(const std::string& id) {
    auto loaded = Workflow::builtin(id);
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    return loaded.workflow;
}

std::string sourceFile(const std::string& id) {
    std::ifstream in(std::string(ORDERFLOW_WORKFLOWS_DIR) + "/" + id + ".json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

WorkflowPtr loadOk(const json& doc) {
    auto loaded = Workflow::load(doc);
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    return loaded.workflow;
}

std::vector<std::string> codes(const std::vector<orderflow::Error>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.code);
    return out;
}

std::string describe(const std::vector<orderflow::Error>& errors) {
    std::string out;
    for (const auto& e : errors) {
        out += e.code + ": " + e.message + (e.field.empty() ? "" : " [" + e.field + "]");
        for (const auto& it : e.items)  // a stock refusal's short items: index sku quantity/available
            out += " <" + std::to_string(it.index) + " " + it.sku + " " + json(it.quantity).dump() + "/" +
                   (std::isnan(it.available) ? std::string("?") : json(it.available).dump()) + ">";
        out += "\n";
    }
    return out;
}

}  // namespace oftest
