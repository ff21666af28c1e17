#pragma once
// Phone numbers in E.164, normalised from what an advisor types in the dealership's region
// ("06 12 34 56 78" in France → "+33612345678"). The interface keeps libphonenumber out of
// the domain; phone.cpp is its only user.

#include "result.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace relais {

class PhoneNumbers {
public:
    virtual ~PhoneNumbers() = default;
    /// E.164 form of `input` read in `region_`, or an error whose code says why
    /// ("phone_invalid_country", "phone_not_a_number", "phone_too_short", "phone_too_long",
    /// "phone_invalid"). Safe to call from any thread.
    virtual Result<std::string> normalize(std::string_view input) const = 0;
    /// National display form of an E.164 number ("06 12 34 56 78"); the input if unparsable.
    virtual std::string display(std::string_view e164) const = 0;
    /// Whether the number is a mobile one (or could be): only those receive SMS.
    virtual bool can_receive_sms(std::string_view e164) const = 0;
};

/// libphonenumber, reading numbers in `region` (ISO 3166 alpha-2, e.g. "FR").
std::unique_ptr<PhoneNumbers> make_phone_numbers(std::string region);

bool phone_region_supported(std::string_view region);

}  // namespace relais
