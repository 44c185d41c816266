namespace Kiln.Proofs.Tests.Sdr;

/// <summary>Runs the 512 MiB cache digests alone, after the parallel tests, so they get every core and honest timings.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeCacheCollection
{
    public const string Name = "Large parent caches";
}
