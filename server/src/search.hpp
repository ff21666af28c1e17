#pragma once
// Repair-order search, case- and accent-insensitive: each RO has one folded document
// (number, plate with and without separators, VIN, party names, phones, emails) indexed by
// an SQLite FTS5 trigram table; a query becomes substring matches on it.

#include "repair_order.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace relais {

/// The folded text that search matches against.
std::string search_document(const RepairOrder& ro);

struct SearchQuery {
    std::string fts_match;                // FTS5 MATCH expression; empty if no word has 3+ characters
    std::vector<std::string> like_terms;  // shorter words, matched with LIKE '%w%' on the document
    bool empty() const { return fts_match.empty() && like_terms.empty(); }
};

/// Every word of `text` must appear (AND). Words of 3+ characters use the trigram index.
SearchQuery parse_search_query(std::string_view text);

}  // namespace relais
