// The tests start real servers and some wait on real time; one at a time keeps them reliable on two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
