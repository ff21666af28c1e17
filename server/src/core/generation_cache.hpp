#pragma once
// Values read or built from the database, kept while it has not changed (Database::generation):
// a burst of requests for the same thing (a customer's phone reopening its offer, many at once)
// reads and builds it once. Any commit moves the generation on and drops every value.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace relais {

/// Thread-safe. At most `capacity` values; when full, all are dropped (the cache is for
/// bursts, not a working set).
template <class Key, class Value>
class GenerationCache {
public:
    explicit GenerationCache(std::size_t capacity) : capacity_(capacity) {}

    /// The value kept for `key` at `generation`, or null.
    std::shared_ptr<const Value> find(const Key& key, std::uint64_t generation) const {
        std::lock_guard lock(mutex_);
        if (generation != generation_) return nullptr;
        auto it = values_.find(key);
        return it == values_.end() ? nullptr : it->second;
    }

    /// Keeps `value`, read at `generation` (what Database::generation returned before reading
    /// it). A value older than what is kept is not kept.
    void put(const Key& key, std::uint64_t generation, std::shared_ptr<const Value> value) {
        std::map<Key, std::shared_ptr<const Value>> dropped;  // freed outside the lock
        std::lock_guard lock(mutex_);
        if (generation < generation_) return;
        if (generation > generation_ || values_.size() >= capacity_) {
            dropped.swap(values_);
            generation_ = generation;
        }
        values_[key] = std::move(value);
    }

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::uint64_t generation_ = 0;
    std::map<Key, std::shared_ptr<const Value>> values_;
};

}  // namespace relais
