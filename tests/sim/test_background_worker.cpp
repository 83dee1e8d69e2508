// BackgroundWorker: a task runs off the calling thread (or within submit() when inline), wait()
// collects it and rethrows what it threw, and the worker serves task after task on one thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <set>
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

TEST_CASE("a threaded worker runs the task on a thread of its own while the caller goes on", "[background]") {
  BackgroundWorker worker(true);
  std::atomic<bool> started{false}, release{false};
  std::thread::id where;
  worker.submit([&] {
    started = true;
    while (!release) std::this_thread::yield();
    where = std::this_thread::get_id();
  });
  CHECK(worker.busy());
  while (!started) std::this_thread::yield();  // the thread has taken it
  CHECK_FALSE(worker.ready());                 // and holds it until released
  release = true;
  worker.wait();
  CHECK(worker.ready());
  CHECK_FALSE(worker.busy());
  CHECK(where != std::this_thread::get_id());
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

TEST_CASE("each task runs once, on the worker's one thread or, not taken yet, in wait", "[background]") {
  BackgroundWorker worker(true);
  std::set<std::thread::id> threads;  // where the tasks ran, the caller's thread aside
  int ran = 0;
  for (int i = 0; i < 200; ++i) {
    worker.submit([&] {
      ++ran;
      threads.insert(std::this_thread::get_id());
    });
    if (i % 2) std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the thread take some
    worker.wait();
  }
  CHECK(ran == 200);
  threads.erase(std::this_thread::get_id());
  CHECK(threads.size() <= 1);
}
