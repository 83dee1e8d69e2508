// BackgroundWorker: a task runs off the calling thread (or within submit() when inline), wait()
// collects it and rethrows what it threw, and the worker serves task after task on one thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "sim/background_worker.hpp"

using specsim::sim::BackgroundWorker;

TEST_CASE("an inline worker runs the task within submit", "[background]") {
  BackgroundWorker worker(false);
  CHECK_FALSE(worker.threaded());
  CHECK_FALSE(worker.busy());
  int ran = 0;
  std::thread::id where;
  worker.submit([&] {
    ++ran;
    where = std::this_thread::get_id();
  });
  CHECK(ran == 1);
  CHECK(where == std::this_thread::get_id());
  CHECK(worker.busy());  // until collected
  CHECK(worker.ready());
  worker.wait();
  CHECK_FALSE(worker.busy());
}

TEST_CASE("a threaded worker runs task after task on one thread of its own", "[background]") {
  BackgroundWorker worker(true);
  std::atomic<bool> release{false};
  std::thread::id first, second;
  worker.submit([&] {
    while (!release) std::this_thread::yield();
    first = std::this_thread::get_id();
  });
  CHECK(worker.busy());
  CHECK_FALSE(worker.ready());  // held until released: the caller goes on meanwhile
  release = true;
  worker.wait();
  CHECK(worker.ready());
  CHECK_FALSE(worker.busy());
  worker.submit([&] { second = std::this_thread::get_id(); });
  worker.wait();
  CHECK(first != std::this_thread::get_id());
  CHECK(first == second);
}

TEST_CASE("wait rethrows what the task threw, and the worker serves the next task", "[background]") {
  for (const bool threaded : {false, true}) {
    CAPTURE(threaded);
    BackgroundWorker worker(threaded);
    worker.submit([] { throw std::runtime_error("diverged"); });
    CHECK_THROWS_WITH(worker.wait(), "diverged");
    CHECK_FALSE(worker.busy());
    int ran = 0;
    worker.submit([&] { ++ran; });
    worker.wait();
    CHECK(ran == 1);
  }
}

TEST_CASE("destroying a worker finishes the task it is running", "[background]") {
  std::atomic<int> ran{0};
  {
    BackgroundWorker worker(true);
    worker.submit([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ++ran;
    });
  }  // never collected: the destructor waits for it
  CHECK(ran == 1);
}
