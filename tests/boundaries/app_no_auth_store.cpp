// folder: app
// allowed: auth.hpp
// forbidden: auth_store.hpp
//
// A private part is private even to the process, which links every folder: a store's header
// is on its own feature's include path only.
#include "auth.hpp"
#include "auth_store.hpp"
