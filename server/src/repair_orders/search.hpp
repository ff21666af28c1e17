#pragma once
// Repair-order search, case- and accent-insensitive: each RO has one folded document
// (number, plate with and without separators, VIN, make and model, party names, phones, emails) indexed by
// an SQLite FTS5 trigram table; a query becomes substring matches on it.

#include "repair_order.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace relais {

/// The folded text that search matches against.
std::string search_document(const RepairOrder& ro);
/// What goes into a document: raised with each change to search_document(), so that the
/// appliance rebuilds the stored documents once at start (RepairOrderService::refresh_search_documents).
constexpr int search_document_version = 2;  // 2: make and model

struct SearchQuery {
    std::string substring_match;  // for the trigram index: words of 3+ characters, anywhere
    std::string prefix_match;     // for the word index: 1- or 2-character words, as word starts
    bool empty() const { return substring_match.empty() && prefix_match.empty(); }
};

/// Every word of `text` must match (AND). A word of 3+ characters matches anywhere
/// ("upon" finds "Dupont"); a shorter one matches the start of a word ("du" finds
/// "Dupont", "AB" the plate "AB-123-CD"), which is what a person typing two letters means.
SearchQuery parse_search_query(std::string_view text);

}  // namespace relais
