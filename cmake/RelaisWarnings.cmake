# Warnings and sanitizers for our own code only, through INTERFACE targets: third-party
# headers come from /usr/include and stay system headers.
add_library(relais_warnings INTERFACE)
target_compile_options(relais_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
)
if(RELAIS_WERROR)
  target_compile_options(relais_warnings INTERFACE -Werror)
endif()

if(RELAIS_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(RELAIS_SANITIZE STREQUAL "thread")
  # -Wno-tsan: GCC 12 warns on std::atomic_thread_fence inside Boost.Asio's headers.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT RELAIS_SANITIZE STREQUAL "")
  message(FATAL_ERROR "RELAIS_SANITIZE must be '', 'address' or 'thread', not '${RELAIS_SANITIZE}'")
endif()
