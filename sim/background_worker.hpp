#pragma once
// One task at a time off the calling thread: a learner's training job runs here while its
// policy goes on planning, and the policy collects the result when it needs it (at the job's
// simulated completion event: wait(); on a wall clock: when ready()). Threaded or inline: an
// inline worker runs the task within submit(), so a run on one thread stays on one thread and
// gives the same results, the task's inputs being fixed when it is submitted.
// The thread starts with the first task and lives until the worker is destroyed, so a run with
// thousands of jobs starts one thread, not thousands.
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace specsim::sim {

class BackgroundWorker {
 public:
  explicit BackgroundWorker(bool threaded) : threaded_(threaded) {}
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;
  ~BackgroundWorker() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
    thread_.join();  // after the running task, if any
  }

  bool threaded() const { return threaded_; }
  // True from submit() until wait() has collected the task.
  bool busy() const { return busy_; }

  // Precondition: not busy(). The task must not touch what the caller changes before wait().
  void submit(std::function<void()> task) {
    busy_ = true;
    if (!threaded_) {
      run(task);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      task_ = std::move(task);
      done_ = false;
    }
    if (!thread_.joinable()) {
      try {
        thread_ = std::thread([this] { serve(); });
      } catch (const std::system_error&) {  // no thread to be had: wait() runs the task
      }
    }
    changed_.notify_all();
  }

  // Whether the task has finished (wait() then returns at once). Without a thread (the system
  // refused one) the task runs here.
  bool ready() {
    std::function<void()> task;
    {
      std::lock_guard lock(mutex_);
      if (done_ || thread_.joinable() || !task_) return done_;
      task = std::exchange(task_, nullptr);
    }
    run(task);
    return true;
  }

  // Blocks until the task has finished, collects it, and rethrows what it threw. A task the
  // thread has not taken yet (a busy machine has not scheduled it) runs here instead of waiting.
  void wait() {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      if (task_) task = std::exchange(task_, nullptr);
      else changed_.wait(lock, [this] { return done_; });
    }
    if (task) run(task);
    busy_ = false;
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void run(std::function<void()>& task) {
    try {
      task();
    } catch (...) {
      error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    done_ = true;
  }

  void serve() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return closing_ || task_; });
      if (!task_) return;  // closing with nothing to run
      std::function<void()> task = std::exchange(task_, nullptr);
      lock.unlock();
      run(task);
      changed_.notify_all();
      lock.lock();
    }
  }

  const bool threaded_;
  bool busy_ = false;  // the caller's side only
  std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> task_;  // submitted, not yet taken by the thread
  bool done_ = true, closing_ = false;
  std::exception_ptr error_;  // written by the task's thread before done_, read after it
  std::thread thread_;
};

}  // namespace specsim::sim
