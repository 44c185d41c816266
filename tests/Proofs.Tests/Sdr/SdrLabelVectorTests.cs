using System.Security.Cryptography;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>
/// rust-fil-proofs storage-proofs-porep create_label/multi.rs <c>test_create_labels</c> (replica 09×32, 11 layers; its last labels)
/// and pinned per-layer file digests of the same cases, with every kernel.
/// </summary>
public sealed class SdrLabelVectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-sdr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, int, byte, ProofsApiVersion, LabelKernel> Cases()
    {
        var data = new TheoryData<string, int, byte, ProofsApiVersion, LabelKernel>();
        var kernels = KilnNative.IsAvailable ? new[] { LabelKernel.Managed, LabelKernel.Native } : [LabelKernel.Managed];
        foreach (var k in kernels)
        {
            data.Add("A", 64, 0x00, ProofsApiVersion.V1_0_0, k);
            data.Add("B", 128, 0x00, ProofsApiVersion.V1_0_0, k);
            data.Add("C", 64, 0x7b, ProofsApiVersion.V1_1_0, k);
            data.Add("D", 128, 0x7b, ProofsApiVersion.V1_1_0, k);
            data.Add("C'", 64, 0x7b, ProofsApiVersion.V1_2_0, k);
            data.Add("D'", 128, 0x7b, ProofsApiVersion.V1_2_0, k);
        }

        return data;
    }

    /// <summary>sha256 of each layer file, per case (the upstream test pins only the last label; these pin every layer).</summary>
    internal static readonly Dictionary<string, string[]> LayerDigests = new()
    {
        ["A"] =
        [
            "ff681673a0f974f0e8054d8d926f196a0429abb08422fc4e45629c61c38f51c2", "2947e92cb102caeb903f64840d3a5b8919336cc59c69daeb8d59cf38ca705b00",
            "2567b3ec6cc3b52e483b7d7e98aa6b380e6c35b83f4524f7a6857837e43d3cb4", "592966f814979a27a9cd82f3662f10f1cb69e7584f9aba2dfd345154a7f8b6d8",
            "9d449d8d204e40e390cd9197d980ab5e637608108942a5e5a0ed803facc3cf05", "23c13fdcdba184c111b36b30d865b5cd0fc9587fe7865fd585f87131d64f7350",
            "cb4c69ffcc8147f054b24ae29cc7f332167db92e64b989ede63ce43d7cc191e3", "9588da0c95b8da8cff2705e2b9468e08f38ba92d2ebdbb414e769aefc675cbe7",
            "37395443561b00bfa9ec45cfdd8a27b0b4edad03d2064c508102d2dc5f41b67f", "a9904415f33f62bd5253f4c9964f4f566919c06311d107f827ae12b7d2437968",
            "546453eaa0f614c0dcd8196acbbe95ee026e79db8f683ccc98ad51b4f32c0c0c",
        ],
        ["B"] =
        [
            "664a501798712e8ef0b265c6cfcaa7e308bf50a8f6e0f18391363ea5e007a46c", "1e5e44041d19292bdb0c6433ad9cd24cb5fd355a89e111b3320eb598c8e13490",
            "da8912360655a267e57df59032aa56e05e5183b7a6c9c1f0b086c9b45691f1ac", "f8bdc58f81ab5a4e41672bdc27ad610d9ffe3d35302342c6e1b79d0dbacbef83",
            "11dfc178e59cfb435eaa5a0701c3e56aa03b0ff0c4228b9e5e6b344080f98f13", "418e0d2ef06643d446967b2c5a356dee581430edd76e8d7703a5818fd3a22c14",
            "08bb71414d71e31928bc2c53097d952d4991365d4dc5294fd168a37b6945a831", "a0c5bc5269dbeb830dd8f7c08c34b7dd9efed07bac85ce125b7a8d42859861b9",
            "fb28335b8162cba929b192f1d04f1b6d4d8cfe2e7e6c566264a0c1bcf41da9b7", "d213ec720cf485f7fa69d73aac30c15a2a3918b9405eb5d396d79a393cfb21db",
            "b963a0cbf52719eb9b688134d7c1aa5cebd74eeaf9123b40c2e98c8c6a5c929b",
        ],
        ["C"] =
        [
            "d59a7bad761fdd1c17cb58ed1f502ae0f57139e18afe432785acde39c571a149", "e72f9f2c8358d7fff39517f74bbb9eb2e886f937866f60507792d21e37b207ef",
            "a61698e774981941d3e0adcaf691a6b8fa937a9db8620811cbfb55dcafa94193", "cd8a00e9b0ca00e8aba9ebf1c9b4a989674f0bb2f1e3f009ddbea477c45a801e",
            "c60092607aa29646536a46ecce3748b426d829fbdeda3d824e9b3724a3b6c022", "c41859c0eea61e8464fff42c62bc2776b33c0e39da267e7fd8d352ccf574ed2a",
            "07ca850bf5dde65a75b9c48701ccb975c9d684f70d59dbe35ec1bd492405a655", "73c5226143b5d39afb2c6db5d9e00cc0746fea17e08801ca1569e9d2982131da",
            "5b865fc0a6116e07729d309e0ff9ee979e9d939e826105997283113c6703be6d", "c0f1ac452c487be10bca52751a05049cb1452d9e419ae9ce3fc9c80e89885707",
            "48498e94f79165b427953153ce73ddb8856c09e2fbfb1f2a6f203d066e010dad",
        ],
        ["D"] =
        [
            "f2d1af57c58ada3a15a291121f3258d58fffcc3fe6c446f2ac9003de0128a748", "60116068dfa61a8792414ba2f9c3985f7d951dded5dd7d70a54176cc5452fc5f",
            "0f80ee7c9f27bc19c5161878e0345b513091a0730a15ed2f3ba3e694cab548b9", "ad79a39c2c207dfc729676ae338ec4e394043591dabedc3c4a40764c56ac79f1",
            "765510b784c00ed2c870564b1e005f1c20ac857db50edbab0c435b1ba16303cd", "07722ebe21b8f3886642f9fe54b3d751a3fb5bd5ac4ebfb3ad022e1af0c41497",
            "f7f8c26594e792963d07736b9804b2dbb7aba73e6463a97272123ed9ef57e93d", "cae36f5d66b8182fedc78e4e5038e9be9d78e1bfd8cbe4e45b0ccc68ee8ec5fd",
            "8fd0085053c512c48bce81f2aacb8d04bb13943bcbea6db153fcd3d4e3857934", "e9590d4a003ca906fa5cfebf20b3580a4b90231388e8c4a3f4f94787d51cddf5",
            "5592cb9b103d4b7a585ffed03b7b4f04128ce502a166ccddaff7faad71cb4a37",
        ],
    };

    /// <summary>The upstream last labels of layer 11 (storage bytes of Fr::from_u64s_le).</summary>
    private static readonly Dictionary<string, string> UpstreamLastLabel = new()
    {
        ["A"] = "04ba0f9a6ba9fad35e4806d183a281eab3c25afa9a1bd5e3378da6f1f4f46204",
        ["B"] = "86daa8c4521e197e48c1fae6c9a1e85ab894a8883b9f23cebe531ddcd1004c23",
        ["C"] = "cfef0db78bf3b3ab9f1169774d2e7a77bc9054499d954834b51ca7c788110206",
        ["D"] = "6d67c468cf81ab2289c1c9c72fa8777a232de4c1323dc0c6bd552ccc187c770f",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Eleven_layers_reproduce_the_upstream_labels(string name, int nodes, byte porepByte, ProofsApiVersion version, LabelKernel kernel)
    {
        var graph = new StackedGraph(Enumerable.Repeat(porepByte, 32).ToArray(), (ulong)nodes, version);
        using var parents = ParentCache.CreateInMemory(graph);
        var replica = Enumerable.Repeat((byte)9, 32).ToArray();

        SdrLabeler.Label(parents, replica, 11, _dir, kernel);

        var key = name.TrimEnd('\'');
        for (var l = 1; l <= 11; l++)
        {
            var bytes = File.ReadAllBytes(CacheFiles.Layer(_dir, l));
            Assert.Equal(nodes * 32, bytes.Length);
            Assert.Equal(LayerDigests[key][l - 1], Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        var last = File.ReadAllBytes(CacheFiles.Layer(_dir, 11))[^32..];
        Assert.Equal(UpstreamLastLabel[key], Convert.ToHexStringLower(last));
    }

    [Fact]
    public void Labeling_resumes_from_layers_on_disk_and_drops_stale_temporaries()
    {
        var graph = new StackedGraph(new byte[32], 64, ProofsApiVersion.V1_0_0);
        using var parents = ParentCache.CreateInMemory(graph);
        var replica = Enumerable.Repeat((byte)9, 32).ToArray();
        SdrLabeler.Label(parents, replica, 11, _dir, LabelKernel.Managed);

        // Lose layers 7..11, leave a stale temporary: a rerun recomputes exactly those.
        for (var l = 7; l <= 11; l++)
        {
            File.Delete(CacheFiles.Layer(_dir, l));
        }

        File.WriteAllBytes(CacheFiles.Temporary(CacheFiles.Layer(_dir, 7)), [1, 2, 3]);
        var times = SdrLabeler.Label(parents, replica, 11, _dir, LabelKernel.Auto);

        Assert.All(times[..6], t => Assert.Equal(TimeSpan.Zero, t));
        Assert.False(File.Exists(CacheFiles.Temporary(CacheFiles.Layer(_dir, 7))));
        Assert.Equal(LayerDigests["A"][10], Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(CacheFiles.Layer(_dir, 11)))));
    }

    [Fact]
    public void Cancellation_stops_labeling_without_leaving_a_layer_file()
    {
        var graph = new StackedGraph(new byte[32], 1 << 18, ProofsApiVersion.V1_1_0);
        using var parents = ParentCache.CreateInMemory(graph);
        using var cts = new CancellationTokenSource();
        var progress = new Progress(cts);
        Assert.ThrowsAny<OperationCanceledException>(() => SdrLabeler.Label(parents, new byte[32], 2, _dir, LabelKernel.Auto, progress, cts.Token));
        Assert.False(File.Exists(CacheFiles.Layer(_dir, 1)));
    }

    private sealed class Progress(CancellationTokenSource cts) : IProgress<LabelingProgress>
    {
        public void Report(LabelingProgress value) => cts.Cancel();
    }
}
