#pragma once

namespace specsim::app {

int main(int argc, char** argv);

}  // namespace specsim::app
