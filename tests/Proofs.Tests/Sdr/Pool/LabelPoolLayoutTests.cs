using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Proofs.Tests.Sdr.Pool;

/// <summary>Pool sizes, blocks and ranks (unit: no I/O).</summary>
public sealed class LabelPoolLayoutTests
{
    private const ulong KiB = 1UL << 10;
    private const ulong MiB = 1UL << 20;
    private const ulong GiB = 1UL << 30;

    [Fact]
    public void Default_pool_is_the_middle_of_the_bounds_as_in_the_mpool_example()
    {
        // "6 tasks, 512MB sector: count = 512M/32M * (3*6+1)/2 = 16 * 19 / 2 = 152"
        var layout = new LabelPoolOptions { Enabled = true, Jobs = 6 }.Layout(512 * MiB);
        Assert.Equal(32 * MiB, layout.BlockSize);
        Assert.Equal(16, layout.BlocksPerLayer);
        Assert.Equal(152, layout.TotalBlocks);
        Assert.Equal(152 * 32 * MiB, layout.PoolSize);
        Assert.Equal(7 * 512 * MiB, layout.MinimumPoolSize);
        Assert.Equal(12 * 512 * MiB, layout.MaximumPoolSize);
        Assert.Equal(20, layout.NodeShift);
    }

    [Fact]
    public void Blocks_shrink_for_small_sectors_to_sixteen_per_layer()
    {
        var layout = LabelPoolLayout.Create(2 * KiB, 2, LabelPoolOptions.DefaultBlockSize, null);
        Assert.Equal(128UL, layout.BlockSize);
        Assert.Equal(2, layout.NodeShift);
        Assert.Equal(4UL, layout.NodesPerBlock);
        Assert.Equal(16, layout.BlocksPerLayer);
        Assert.Equal(7 * 16 / 2, layout.TotalBlocks);

        var big = LabelPoolLayout.Create(32 * GiB, 6, LabelPoolOptions.DefaultBlockSize, null);
        Assert.Equal(1024, big.BlocksPerLayer);
        Assert.Equal(19UL * 32 * GiB / 2, big.PoolSize);
        Assert.Equal((big.PoolSize + 5) / 6, big.PerJobSize);
    }

    [Fact]
    public void Environment_binds_size_block_and_jobs()
    {
        var env = new Dictionary<string, string>
        {
            ["MEM_POOL_SIZE"] = "224GiB",
            ["FIL_PROOFS_P1_BLOCK"] = "16MiB",
        };
        var options = LabelPoolOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.True(options.Enabled);
        Assert.Equal(224 * GiB, options.PoolSize);
        Assert.Equal(16 * MiB, options.BlockSize);
        Assert.Null(options.Jobs);

        // 224 GiB of 32 GiB sectors: (N+1)·S ≤ size gives at most 6 jobs.
        var layout = options.Layout(32 * GiB);
        Assert.Equal(6, layout.Jobs);
        Assert.Equal(2048, layout.BlocksPerLayer);

        var off = LabelPoolOptions.FromEnvironment(new Dictionary<string, string> { ["FIL_PROOFS_P1_BLOCK"] = "16MiB" }.GetValueOrDefault);
        Assert.False(off.Enabled);
        var opted = LabelPoolOptions.FromEnvironment(new Dictionary<string, string> { ["FIL_PROOFS_USE_MPOOL"] = "1" }.GetValueOrDefault);
        Assert.True(opted.Enabled);
        Assert.Equal(LabelPoolOptions.DefaultJobs, opted.Layout(32 * GiB).Jobs);
        var vetoed = LabelPoolOptions.FromEnvironment(new Dictionary<string, string> { ["FIL_PROOFS_USE_MPOOL"] = "0", ["FIL_PROOFS_P1_TASKS"] = "3" }.GetValueOrDefault);
        Assert.False(vetoed.Enabled);
        Assert.Equal(3, vetoed.Jobs);
    }

    [Theory]
    [InlineData("MEM_POOL_SIZE", "lots")]
    [InlineData("FIL_PROOFS_P1_BLOCK", "big")]
    [InlineData("FIL_PROOFS_P1_BLOCK", "48")]
    [InlineData("FIL_PROOFS_P1_BLOCK", "2GiB")]
    [InlineData("FIL_PROOFS_P1_TASKS", "0")]
    [InlineData("FIL_PROOFS_P1_TASKS", "-2")]
    [InlineData("FIL_PROOFS_USE_MPOOL", "perhaps")]
    public void Unparsable_variables_are_named(string name, string value)
    {
        var e = Assert.Throws<ProofsException>(() => LabelPoolOptions.FromEnvironment(n => n == name ? value : null));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2048UL, 3, 128UL, 2048UL * 4 - 128, "below the minimum")]
    [InlineData(2048UL, 3, 128UL, 2048UL * 6 + 128, "above the maximum")]
    [InlineData(2048UL, 3, 128UL, 2048UL * 5 + 64, "not a multiple")]
    [InlineData(2048UL, 3, 96UL, 2048UL * 5, "power-of-two")]
    [InlineData(2048UL, 3, 0UL, 2048UL * 5, "power-of-two")]
    [InlineData(2080UL, 3, 128UL, 2080UL * 5, "does not divide")]
    [InlineData(2050UL, 3, 128UL, 2050UL * 5, "multiple of 32")]
    public void Bad_configurations_fail_at_construction(ulong sector, int jobs, ulong block, ulong size, string reason)
    {
        var e = Assert.Throws<ProofsException>(() => LabelPoolLayout.Create(sector, jobs, block, size));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_size_too_small_for_one_job_is_refused()
    {
        var e = Assert.Throws<ProofsException>(() => new LabelPoolOptions { Enabled = true, PoolSize = 3 * KiB }.Layout(2 * KiB));
        Assert.Contains("MEM_POOL_SIZE", e.Message, StringComparison.Ordinal);
        Assert.Throws<ProofsException>(() => new LabelPoolOptions { Enabled = true, Jobs = 0 }.Validate());
    }

    [Fact]
    public void Ranks_spread_the_gap_by_place_and_keep_every_limit_at_least_a_layer()
    {
        var random = new Random(12);
        for (var round = 0; round < 2000; round++)
        {
            var jobs = random.Next(1, 13);
            var perLayer = 16 << random.Next(0, 4);
            var sector = (ulong)perLayer * 128;
            var min = (jobs + 1) * perLayer;
            var total = random.Next(min, (2 * jobs * perLayer) + 1);
            var layout = LabelPoolLayout.Create(sector, jobs, 128, (ulong)total * 128);
            var ranks = layout.Ranks;
            Assert.Equal(jobs, ranks.Count);
            Assert.Equal(0, ranks[0]);
            Assert.Equal((2 * jobs * perLayer) - total, ranks.Sum());
            Assert.All(ranks, r => Assert.InRange(r, 0, perLayer));
            for (var p = 1; p < jobs; p++)
            {
                Assert.True(ranks[p - 1] <= ranks[p], "ranks grow with the place");
            }

            // mpool's "a job holding only its previous layer may take a block" holds whenever the gap allows it.
            if (total >= min + jobs - 1)
            {
                Assert.All(ranks, r => Assert.True(r < perLayer));
            }
        }
    }

    [Fact]
    public void Ranks_of_the_mpool_example_are_linear_in_the_place()
    {
        var layout = LabelPoolLayout.Create(512 * MiB, 6, 32 * MiB, null);
        Assert.Equal([0, 2, 5, 8, 11, 14], layout.Ranks);
        var minimum = LabelPoolLayout.Create(512 * MiB, 6, 32 * MiB, 7 * 512 * MiB);
        Assert.Equal([0, 16, 16, 16, 16, 16], minimum.Ranks);
    }
}
