using System.Formats.Tar;
using System.Text;
using Kiln.Stores.Fetch;
using Kiln.Stores.Tests.Support;

namespace Kiln.Stores.Tests.Fetch;

public sealed class CacheTarTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A USTAR stream of the members; with <paramref name="goStyle"/> cut right after the last member's data, as Lotus sends it.</summary>
    private static byte[] Tar(bool goStyle, params (string Name, byte[] Data)[] members)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, data) in members)
            {
                w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        var all = ms.ToArray();
        if (!goStyle)
        {
            return all;
        }

        long end = 0;
        foreach (var (_, data) in members)
        {
            end += 512 + data.Length;
            if (!ReferenceEquals(data, members[^1].Data))
            {
                end += (512 - (data.Length % 512)) % 512;
            }
        }

        return all[..(int)end];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Extracts_whitelisted_members_with_or_without_end_blocks(bool goStyle)
    {
        var tree = Encoding.ASCII.GetBytes(new string('r', 1000));
        var bytes = Tar(goStyle, ("p_aux", "paux"u8.ToArray()), ("sc-02-data-tree-r-last.dat", tree), ("t_aux", "t"u8.ToArray()));
        var written = await CacheTar.ExtractAsync(new MemoryStream(bytes), _dir.Sub("out"), CancellationToken.None);

        Assert.Equal(1005, written);
        Assert.Equal("paux", File.ReadAllText(_dir.Sub("out", "p_aux")));
        Assert.Equal(tree, File.ReadAllBytes(_dir.Sub("out", "sc-02-data-tree-r-last.dat")));
        Assert.Equal("t", File.ReadAllText(_dir.Sub("out", "t_aux")));
    }

    [Fact]
    public async Task Refuses_unexpected_names_oversize_members_and_cut_data()
    {
        var ct = CancellationToken.None;
        var e = await Assert.ThrowsAsync<StoresException>(
            () => CacheTar.ExtractAsync(new MemoryStream(Tar(true, ("../p_aux", "x"u8.ToArray()))), _dir.Sub("a"), ct));
        Assert.Contains("isn't expected", e.Message);
        Assert.False(File.Exists(_dir.Sub("p_aux")));

        await Assert.ThrowsAsync<StoresException>(
            () => CacheTar.ExtractAsync(new MemoryStream(Tar(true, ("sc-02-data-tree-c.dat", "x"u8.ToArray()))), _dir.Sub("b"), ct));

        e = await Assert.ThrowsAsync<StoresException>(
            () => CacheTar.ExtractAsync(new MemoryStream(Tar(true, ("p_aux", new byte[65]))), _dir.Sub("c"), ct));
        Assert.Contains("bigger than expected", e.Message);

        var cut = Tar(true, ("t_aux", new byte[3000]));
        e = await Assert.ThrowsAsync<StoresException>(() => CacheTar.ExtractAsync(new MemoryStream(cut[..^100]), _dir.Sub("d"), ct));
        Assert.Contains("ends inside", e.Message);

        Assert.Equal(2 + 1 + 16 + 11 + 16 + 1, CacheTar.FileConstraints.Count);
    }
}
