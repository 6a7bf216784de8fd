#pragma once
// A small "--flag value" parser shared by the command-line tools.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::tools {

// A bad command line; the message is meant for the user.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class cli_args {
public:
    // Reads "--name value" pairs; every name must be in `known`.
    cli_args(const std::vector<std::string>& args, const std::vector<std::string>& known) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const auto& a = args[i];
            if (a.rfind("--", 0) != 0) throw usage_error("unexpected argument '" + a + "'");
            auto name = a.substr(2);
            std::optional<std::string> inline_value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name.resize(eq);
            }
            bool ok = false;
            for (const auto& k : known) ok = ok || k == name;
            if (!ok) throw usage_error("unknown option --" + name);
            if (inline_value) {
                values_[name] = *inline_value;
            } else {
                if (i + 1 >= args.size()) throw usage_error("--" + name + " needs a value");
                values_[name] = args[++i];
            }
        }
    }

    std::optional<std::string> get(const std::string& name) const {
        auto it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    std::string require(const std::string& name) const {
        auto v = get(name);
        if (!v) throw usage_error("--" + name + " is required");
        return *v;
    }
    double number(const std::string& name, double fallback) const {
        auto v = get(name);
        if (!v) return fallback;
        return parse_number(name, *v);
    }
    static double parse_number(const std::string& name, const std::string& v) {
        try {
            std::size_t used = 0;
            double d = std::stod(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
            return d;
        } catch (const std::exception&) {
            throw usage_error("--" + name + ": '" + v + "' is not a number");
        }
    }

private:
    std::map<std::string, std::string> values_;
};

} // namespace chat::tools
