using System.Collections;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public class ParentCacheOptionsTests
{
    [Fact]
    public void Defaults_to_var_tmp_filecoin_parents()
    {
        var options = ParentCacheOptions.FromEnvironment(new Hashtable());
        Assert.Equal("/var/tmp/filecoin-parents", options.Directory);
        Assert.False(options.VerifyCache);
    }

    [Fact]
    public void Parent_cache_variable_is_the_directory_itself()
    {
        var options = ParentCacheOptions.FromEnvironment(new Hashtable
        {
            ["FIL_PROOFS_PARENT_CACHE"] = "/data/parents",
            ["FIL_PROOFS_CACHE_DIR"] = "/ignored/",
        });
        Assert.Equal("/data/parents", options.Directory);
        var graph = new StackedGraph(SealProofInfo.Get(RegisteredSealProof.StackedDrg32GiBV1_1));
        Assert.Equal(
            "/data/parents/v28-sdr-parent-21981246c370f9d76c7a77ab273d94bde0ceb4e938292334960bce05585dc117.cache",
            ParentCache.GetPath(graph, options));
    }

    [Theory]
    [InlineData("/mnt/cache/", "/mnt/cache/filecoin-parents")]
    [InlineData("/mnt/cache", "/mnt/cachefilecoin-parents")]
    public void Cache_dir_is_concatenated_like_rust(string cacheDir, string expected)
    {
        var options = ParentCacheOptions.FromEnvironment(new Hashtable { ["FIL_PROOFS_CACHE_DIR"] = cacheDir });
        Assert.Equal(expected, options.Directory);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Verify_cache_variable(string value, bool expected)
    {
        var options = ParentCacheOptions.FromEnvironment(new Hashtable { ["FIL_PROOFS_VERIFY_CACHE"] = value });
        Assert.Equal(expected, options.VerifyCache);
    }

    [Fact]
    public void Verify_cache_rejects_garbage()
    {
        var ex = Assert.Throws<ProofsException>(() => ParentCacheOptions.FromEnvironment(new Hashtable { ["FIL_PROOFS_VERIFY_CACHE"] = "maybe" }));
        Assert.Contains("FIL_PROOFS_VERIFY_CACHE", ex.Message);
    }
}
