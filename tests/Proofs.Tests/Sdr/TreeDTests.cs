using Kiln.Proofs.Hashing;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public sealed class TreeDTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-treed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every level, leaves first, built in memory the obvious way.</summary>
    private static byte[] NaiveTree(byte[] leaves)
    {
        var all = new List<byte>(leaves);
        var level = leaves;
        while (level.Length > 32)
        {
            var next = new byte[level.Length / 2];
            for (var i = 0; i < next.Length / 32; i++)
            {
                Sha254.Hash(level.AsSpan(64 * i, 64), next.AsSpan(32 * i, 32));
            }

            all.AddRange(next);
            level = next;
        }

        return [.. all];
    }

    [Theory]
    [InlineData(2048, 2048)]
    [InlineData(1 << 24, 1 << 24)] // two hashing chunks
    [InlineData(1 << 24, 5_000_000)] // data ends early: the rest of the sector is zeros
    public async Task Tree_file_holds_every_level_and_the_root_is_comm_d(int sectorSize, int dataLength)
    {
        var data = new byte[dataLength];
        new Random(sectorSize ^ dataLength).NextBytes(data);
        var path = Path.Combine(_dir, "sc-02-data-tree-d.dat");
        using var sealedCopy = new MemoryStream();

        var root = await TreeD.BuildAsync(new MemoryStream(data), (ulong)sectorSize, path, sealedCopy, CancellationToken.None);

        var leaves = new byte[sectorSize];
        data.CopyTo(leaves, 0);
        var expected = NaiveTree(leaves);
        var actual = await File.ReadAllBytesAsync(path);
        Assert.Equal((2 * sectorSize) - 32, actual.Length);
        Assert.True(expected.AsSpan().SequenceEqual(actual), "tree_d file differs from the naive tree");
        Assert.Equal(expected[^32..], root);
        Assert.True(leaves.AsSpan().SequenceEqual(sealedCopy.ToArray()), "sealed copy differs from the zero-extended data");
        Assert.False(File.Exists(CacheFiles.Temporary(path)));
    }
}
