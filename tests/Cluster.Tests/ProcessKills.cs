namespace Kiln.Cluster.Tests;

/// <summary>
/// The process tests that kill, freeze and restart kiln-miner and kiln-worker processes run one at a time and apart
/// from the other tests: each bounds a whole multi-process sealing run in time.
/// </summary>
[CollectionDefinition(nameof(ProcessKills), DisableParallelization = true)]
public sealed class ProcessKills
{
}
