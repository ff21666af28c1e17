#include "at_parser.hpp"

namespace relais::modem {

std::vector<std::string> AtLineParser::feed(std::string_view bytes) {
    std::vector<std::string> lines;
    for (char c : bytes) {
        if (c == '\r' || c == '\n') {
            if (!partial_.empty()) lines.push_back(std::move(partial_));
            partial_.clear();
        } else if (c != '\0') {  // some modems emit NULs while booting
            if (partial_.size() >= max_line) partial_.clear();
            partial_ += c;
        }
    }
    return lines;
}

}  // namespace relais::modem
