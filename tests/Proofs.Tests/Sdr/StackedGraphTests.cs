using System.Collections.Concurrent;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>Known answers of rust-fil-proofs' stacked graph: parents, drg seeds, Feistel keys and parent cache names.</summary>
public class StackedGraphTests
{
    private static readonly ConcurrentDictionary<RegisteredSealProof, StackedGraph> Graphs = new();

    // StackedBucketGraph::parents (storage-proofs-porep stacked/vanilla/graph.rs) on the graphs of create_label/multi.rs test_create_labels:
    // case, nodes, porep_id byte (repeated ×32), api version, node, 6 base + 8 expander parents.
    public static IEnumerable<object[]> TestGraphRows =>
    [
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 0UL, "0 0 0 0 0 0 22 1 6 27 40 36 18 36"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 1UL, "0 0 0 0 0 0 57 30 21 11 22 15 1 32"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 2UL, "0 1 1 1 1 1 32 49 26 57 3 4 47 63"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 3UL, "1 2 1 2 1 2 55 45 29 45 51 53 56 44"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 4UL, "3 0 3 1 3 3 39 48 35 40 53 3 15 48"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 5UL, "1 3 2 4 3 4 40 23 34 58 11 18 10 19"],
        ["A", 64, 0x00, ProofsApiVersion.V1_0_0, 63UL, "62 61 56 62 37 62 49 37 35 41 52 50 54 5"],
        ["B", 128, 0x00, ProofsApiVersion.V1_0_0, 2UL, "0 1 1 1 1 1 32 49 26 90 3 122 47 63"],
        ["B", 128, 0x00, ProofsApiVersion.V1_0_0, 127UL, "80 125 126 30 124 126 40 97 127 84 72 77 38 118"],
        ["C", 64, 0x7b, ProofsApiVersion.V1_1_0, 0UL, "0 0 0 0 0 0 15 59 52 42 7 39 51 51"],
        ["C", 64, 0x7b, ProofsApiVersion.V1_1_0, 2UL, "1 0 1 1 0 1 20 4 10 5 26 0 34 58"],
        ["C", 64, 0x7b, ProofsApiVersion.V1_1_0, 3UL, "2 2 0 2 0 2 0 12 62 27 43 22 5 50"],
        ["C", 64, 0x7b, ProofsApiVersion.V1_1_0, 5UL, "4 0 3 0 4 0 52 15 21 0 45 48 59 22"],
        ["C", 64, 0x7b, ProofsApiVersion.V1_1_0, 63UL, "62 57 62 62 62 62 31 15 13 57 51 10 4 11"],
        ["D", 128, 0x7b, ProofsApiVersion.V1_1_0, 5UL, "4 0 3 0 4 0 123 95 21 0 45 48 59 64"],
        ["D", 128, 0x7b, ProofsApiVersion.V1_1_0, 127UL, "126 39 111 116 126 126 21 99 102 12 62 3 74 103"],
    ];

    // StackedBucketGraph::parents on production graphs, including 32 GiB and 64 GiB.
    public static IEnumerable<object[]> ProductionRows =>
    [
        [RegisteredSealProof.StackedDrg32GiBV1_1, 0UL, "0 0 0 0 0 0 1054240739 227529229 985834481 197966932 410367906 165888503 1030207780 74357301"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 1UL, "0 0 0 0 0 0 702693034 366772265 26763858 547315823 59704098 413126652 762902885 978177250"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 2UL, "1 1 0 1 0 0 694934376 792214855 560882435 923855168 468160064 444658509 700174899 650486437"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 3UL, "2 2 2 2 1 2 881691878 227401911 1005318917 53423186 1052586668 501278749 458668482 587358438"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 4UL, "3 3 3 3 3 2 1048799062 1053939110 689830150 642860498 61878714 66585419 746300424 343572088"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 5UL, "4 2 4 4 0 4 29232666 147918378 762882212 828812998 37325909 259125369 165563699 239587224"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 1000UL, "999 999 993 999 987 994 610880257 52958456 114467229 442886740 935021104 986163808 486080124 611062435"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 2000UL, "1999 1882 1996 778 1997 1977 460891366 317039584 1045750918 42709291 1052622767 430671545 232324820 156546365"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 2001UL, "2000 1513 1711 1947 1905 1440 462906968 994962576 26420749 169219063 272526491 1022728679 249777120 456325343"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 123456789UL, "123456788 123452130 57600536 121375910 81802541 123454429 756970061 978149514 435142043 446129461 759011230 69080554 55615519 90896364"],
        [RegisteredSealProof.StackedDrg32GiBV1_1, 1073741823UL, "1073741822 1073258530 440642413 663190843 1073741654 1073741786 307718517 715446084 558280128 265147410 110937796 626719228 201839602 653041812"],
        [RegisteredSealProof.StackedDrg32GiBV1, 0UL, "0 0 0 0 0 0 193218719 107884067 84734002 52940790 506733982 222475650 192156281 396327662"],
        [RegisteredSealProof.StackedDrg32GiBV1, 1UL, "0 0 0 0 0 0 13536482 408931302 20901127 516736204 364188542 199756244 229243375 461736401"],
        [RegisteredSealProof.StackedDrg32GiBV1, 2UL, "0 0 1 0 0 1 400853530 328272173 484523968 337953528 195912658 380473339 445606617 401399919"],
        [RegisteredSealProof.StackedDrg32GiBV1, 3UL, "1 2 1 2 2 2 86118114 138164221 157329378 433364928 323370190 210995488 167866047 270078901"],
        [RegisteredSealProof.StackedDrg32GiBV1, 1000UL, "992 999 685 999 851 999 56765109 142792959 55421737 123123914 7049045 479267348 532767812 301615063"],
        [RegisteredSealProof.StackedDrg32GiBV1, 123456789UL, "41130102 123453260 122832029 14654775 123356737 123456788 20305614 169978765 305554723 252811519 482886680 302671174 307841414 121507768"],
        [RegisteredSealProof.StackedDrg32GiBV1, 1073741823UL, "1073717791 1073729651 356271464 1073741667 1073518238 1073741822 195269793 55928625 117716005 370196974 457529501 256849605 282938428 400621728"],
        [RegisteredSealProof.StackedDrg64GiBV1_1, 2UL, "1 1 0 1 0 0 712831275 1199298225 376978799 1694222890 1893784888 258014408 1369861727 1689646049"],
        [RegisteredSealProof.StackedDrg64GiBV1_1, 1000UL, "999 994 376 995 992 118 981873907 906285101 1524026349 1268358971 507520043 1249468776 980141938 570627897"],
        [RegisteredSealProof.StackedDrg64GiBV1_1, 2147483647UL, "2147483646 2147483645 2147473607 2147483646 2147483609 1322413322 319537050 259923117 180788485 1838730986 786079656 319786570 1561782586 1183784015"],
        [RegisteredSealProof.StackedDrg64GiBV1, 2UL, "1 0 0 1 1 1 41578211 98678541 201847558 133755553 343172703 359045127 209359854 387247893"],
        [RegisteredSealProof.StackedDrg64GiBV1, 2147483647UL, "2141235863 2147212826 2147482039 772148166 2147483452 2147483646 410488621 225034157 275186360 7928278 248739608 415470629 20246382 24229879"],
        [RegisteredSealProof.StackedDrg32GiBV1_1_Feat_SyntheticPoRep, 2UL, "1 1 1 1 0 0 130424484 244858574 779888709 743489231 252630561 429817760 798252349 108362084"],
        [RegisteredSealProof.StackedDrg32GiBV1_1_Feat_SyntheticPoRep, 1073741823UL, "1073741822 1073734688 530999251 1073741771 1073741298 458181114 34674779 579900782 362097021 904567645 658590122 621916894 905799680 419686056"],
        [RegisteredSealProof.StackedDrg32GiBV1_2_Feat_NonInteractivePoRep, 2UL, "1 0 1 0 1 1 129209519 548166471 321377003 531594700 159702903 1070361184 58170912 977697020"],
        [RegisteredSealProof.StackedDrg32GiBV1_2_Feat_NonInteractivePoRep, 1073741823UL, "1073741822 1067341975 71535109 1008882171 1073741822 1073741136 603313802 465484557 927361767 441253560 88845100 22187869 1051185315 146906892"],
    ];

    // Proof id, drg_seed (storage-proofs-core drgraph.rs, derive_porep_domain_seed with DRSAMPLE_DST) and Feistel keys k0..k3
    // (storage-proofs-porep stacked/vanilla/graph.rs derive_feistel_keys).
    public static IEnumerable<object[]> Seeds =>
    [
        [0, "623f03efd4cbc4f029203ee913d026a4e2d9913025a8aed04fec97a0", 0x8fb5fa185a23bce6UL, 0xd567abafe374f26eUL, 0xa2f3f4da23359accUL, 0xcbf4931c8d02e1a5UL],
        [1, "8292e037360adebedf4f0c1fe3215360a70d59cba547b011c9c1f6e8", 0x01fd7811dfa3e6edUL, 0x553b68d8971ad342UL, 0x5e01f8949b216dc9UL, 0x27b382d104f3115eUL],
        [2, "f9521c4c3861f05f46361c7a1d9736b5569ad98a80b4fb65a0211536", 0x25bcb4fcece98128UL, 0x861ee51926f0214bUL, 0x297afca1eaee6c07UL, 0x4cb37d5489fe6350UL],
        [3, "a674e44e91e0af2c0d2406b8f0437a0832819d7568d3f7fe2f665a92", 0xad34733ae94c2bc0UL, 0x128224972c156342UL, 0x935d1caca8ada2d9UL, 0x70aa0104742ce2d6UL],
        [4, "d80037d5e732ece13a13a4ead255ca92a9a76226fec49ac4b07e216e", 0xb570b74b73459cd5UL, 0x5f826c690838c5e1UL, 0x2cd43d7dda057064UL, 0x10a2e0c1b87a9765UL],
        [5, "3be68542ec229705b99be29c2106b0e4222ccd1d0311398ea4d22d7d", 0x90b15b1c4509e47aUL, 0xdc5378c03df3f21bUL, 0xfa76fc24deb9d7acUL, 0xcdec5e11f7b30a54UL],
        [6, "dd49e976092e087108b442bde7ec6278d8b8d78f8d39f818205b2a23", 0xd2b030e95f540560UL, 0x7f7956fe452a1b07UL, 0x8f3c65e897dee246UL, 0x2287feccfee25122UL],
        [7, "ff98e8aefca74eb36a4db23804c4982d46032328101a3b3a4819568e", 0x58d8dd5a65467a3aUL, 0xdea3d86d80cd3e35UL, 0xaebfb2c9cc6964ebUL, 0xfafbd593dbaedff9UL],
        [8, "ba0350183955dc9f07e73503f5c63ff1bd9c22501363983de241f74a", 0x35a20d6c881b3e73UL, 0x11063648dc13a120UL, 0xa8c1ad029b31fcb5UL, 0xd299d840a5770469UL],
        [9, "bab80f31f3694d562279ef610ca1f43e36050d6d7fad9613d62483b8", 0xa3e0f807b2608bbfUL, 0x58283749bc2d4bdeUL, 0x2a81f68634313622UL, 0xffdfafcd62044988UL],
        [10, "baa7c5bc698d37f9b3439bb88d3a051e69ffe3f8c268b340654e4556", 0x736d7a14a7c2a86eUL, 0x2cd80a5fbf74ab53UL, 0xbfd7479b9da2d3c9UL, 0x134234878ad7bb8cUL],
        [11, "1969707cd534c96f179f3361f979f570c536cba0ab54cf1ba99b6c67", 0x3cdb1c4cbad1ac8cUL, 0xd709673a3ce5cf6dUL, 0x8ac8712dcd86648fUL, 0xd97f9e941a03347fUL],
        [12, "2e3bd5273cc60a4795fd19b26b107f8f2538abb5b518866fc1408991", 0x5dbed4d6e83dff8dUL, 0xd7ee5b4e6e20e6d4UL, 0x85422f31d37f7744UL, 0xd952b6a673dab2e6UL],
        [13, "5231169aa77a3063f333518cf00e88a30cb2a793f8223997b871f6a5", 0x7a5ca87754825a6eUL, 0x93555115ca12f4a6UL, 0x4791b8de00607adeUL, 0x5f065dc5ad1cd9feUL],
        [14, "625a43b00206218c367ed350574ccde43120f68704461e660cfb7f7a", 0x6c92a28fb7d4d325UL, 0x07ad30a3967f90bfUL, 0xbcb94e650aa51648UL, 0x04b199a0617b1740UL],
        [15, "effbb3ecfe20ebe183d531b5bc47f9bc4d6b4d91431ad98c7e46f68f", 0x985b89703d241db9UL, 0x47ca1a818e0c12ceUL, 0xcbac28561e19f4d5UL, 0xe4401509a6530099UL],
        [16, "3df863099641bf93df06bcc23faece289625577a5281ac286638f8a5", 0xd2b28926dfedafdaUL, 0xd7c336a7eefe65b4UL, 0xed419cab66eae8e1UL, 0xc0476073b7580a11UL],
        [17, "680745e65b178c87842d4374d88ffdb07203bb44010b9e91ac6f7a00", 0xa00e8f35c8c39c02UL, 0xdbcc1eab2ab68dccUL, 0xb5bdffbc70fc9b20UL, 0x6373e50c91a4004eUL],
        [18, "eb7dae55b49c74c6041818bbb28c90947321593b0d8d89da97d91a78", 0x534899792a1c692eUL, 0xa233082a14fd5f60UL, 0xeac284138796f1d3UL, 0xe7bd2039600d88f7UL],
        [19, "41e61a99d9f9085dd65863761b26e92febb1820ab3baa85895ca5726", 0x2e9d4dd2ef0d6b4cUL, 0x376a2e95f2124d38UL, 0x5ef630d4b9ef5919UL, 0x73c8b04cb7324344UL],
    ];

    // The cache file stem of every registered proof (storage-proofs-porep stacked/vanilla/cache.rs cache_path; parent_cache.json).
    public static IEnumerable<object[]> CacheIds =>
    [
        [0, "v28-sdr-parent-3f0eef38bb48af1f48ad65e14eb85b4ebfc167cec18cd81764f6d998836c9899"],
        [1, "v28-sdr-parent-dcdabb0fbe4364bf0ac28b6a18c66de246409fa1a9020a00f33fb3e3053da6dc"],
        [2, "v28-sdr-parent-2aa9c77c3e58259481351cc4be2079cc71e1c9af39700866545c043bfa30fb42"],
        [3, "v28-sdr-parent-e1fa5d5b811ddbd118be3412c4a8c329156b8b8acc72632bca459455b5a05a13"],
        [4, "v28-sdr-parent-8a99e8d6b6be7ab87a56b632e6739ff201c23ea14e99737c74690f0e265574d6"],
        [5, "v28-sdr-parent-494d91dc80f2df5272c4b9e129bc7ade9405225993af9fe34e6542a39a47554b"],
        [6, "v28-sdr-parent-5eed212119fd91aa6220a27f31a8966444a9381842bceb3a1ea61525bd47a5b5"],
        [7, "v28-sdr-parent-7ba215a1d2345774ab90b8cb1158d296e409d6068819d7b8c7baf0b25d63dc34"],
        [8, "v28-sdr-parent-21981246c370f9d76c7a77ab273d94bde0ceb4e938292334960bce05585dc117"],
        [9, "v28-sdr-parent-4905486b7af19558ac3649bc6261411858b6add534438878c4ee3b29d8b9de0b"],
        [10, "v28-sdr-parent-1aa0c04f9b6b2ba6ece696274b0f0b53438c9acd1ae1b3943d837bacb65ad66b"],
        [11, "v28-sdr-parent-727a5e3eada45a0975f90b2651ed09ce5db554c99f03d7f029049ae3a36462a5"],
        [12, "v28-sdr-parent-6ac4717c3f9d9d1378c79d042cef90fba963c4f18f9a8b0845fc49f860814456"],
        [13, "v28-sdr-parent-716c0c62d7111a1f43ddbc54102052f151fdf2162ba7605786aa51c495aa6e65"],
        [14, "v28-sdr-parent-4dd21860b4d7f1e3ec09fdf61f75022a1d179d5b47bbf340f93fb6f61cced893"],
        [15, "v28-sdr-parent-896a357165f80a0aedd30a419e412a4ef3e8d95718896655dd42fd415eab41a2"],
        [16, "v28-sdr-parent-6de1e885248c809ed294f690d79d06ede06fd51c541b324bc1dc10628fccb991"],
        [17, "v28-sdr-parent-44915af4fc1a20f480c308f73b5d71cc8b78d9eb3daa2d73a7a109bed53a88d0"],
        [18, "v28-sdr-parent-e6ed6d53a2e35ffd6bf01b8a00fe56067c8df7b23c2c016363e452cad2621344"],
        [19, "v28-sdr-parent-26a594a55cf444adc848b9682e1486b8d0bfa7846ee3f20cb6e754afe2778941"],
    ];

    [Theory]
    [MemberData(nameof(TestGraphRows))]
    public void Parents_of_the_upstream_test_graphs(string @case, int nodes, int porepByte, ProofsApiVersion version, ulong node, string expected)
    {
        var graph = new StackedGraph(Enumerable.Repeat((byte)porepByte, 32).ToArray(), (ulong)nodes, version);
        Assert.Equal(Parse(expected), ParentsOf(graph, node));
        Assert.NotNull(@case);
    }

    [Theory]
    [MemberData(nameof(TestGraphRows))]
    public void Api_1_2_0_builds_the_same_graph_as_1_1_0(string @case, int nodes, int porepByte, ProofsApiVersion version, ulong node, string expected)
    {
        if (version == ProofsApiVersion.V1_0_0)
        {
            // Cases A and B are legacy graphs; only C and D have a 1.2.0 twin (C', D').
            Assert.True(@case is "A" or "B");
            return;
        }

        var graph = new StackedGraph(Enumerable.Repeat((byte)porepByte, 32).ToArray(), (ulong)nodes, ProofsApiVersion.V1_2_0);
        Assert.Equal(Parse(expected), ParentsOf(graph, node));
    }

    [Theory]
    [MemberData(nameof(ProductionRows))]
    public void Parents_of_production_graphs(RegisteredSealProof proof, ulong node, string expected)
    {
        var graph = Graphs.GetOrAdd(proof, p => new StackedGraph(SealProofInfo.Get(p)));
        Assert.Equal(Parse(expected), ParentsOf(graph, node));

        // The split accessors agree with the full row.
        Span<uint> b = stackalloc uint[StackedGraph.BaseDegree];
        Span<uint> e = stackalloc uint[StackedGraph.ExpansionDegree];
        graph.BaseParents(node, b);
        graph.ExpanderParents(node, e);
        Assert.Equal(Parse(expected), b.ToArray().Concat(e.ToArray()).ToArray());
    }

    [Fact]
    public void Legacy_32GiB_expander_parents_stay_below_2_pow_29_because_of_the_u32_truncation()
    {
        var legacy = Graphs.GetOrAdd(RegisteredSealProof.StackedDrg32GiBV1, p => new StackedGraph(SealProofInfo.Get(p)));
        Span<uint> parents = stackalloc uint[StackedGraph.Degree];
        for (ulong node = (1UL << 30) - 4096; node < 1UL << 30; node++)
        {
            legacy.Parents(node, parents);
            foreach (var p in parents[StackedGraph.BaseDegree..])
            {
                Assert.True(p < 1u << 29, $"node {node}: expander parent {p}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Drg_seed_and_feistel_keys_of_every_proof(int id, string drgSeed, ulong k0, ulong k1, ulong k2, ulong k3)
    {
        var info = SealProofInfo.Get(id);
        var graph = Graphs.GetOrAdd(info.Proof, _ => new StackedGraph(info));
        Assert.Equal(drgSeed, Convert.ToHexStringLower(graph.DrgSeed));
        Assert.Equal(new[] { k0, k1, k2, k3 }, graph.FeistelKeys.ToArray());
        Assert.Equal(info.Nodes, graph.Nodes);
        Assert.Equal(info.ApiVersion, graph.ApiVersion);
    }

    [Theory]
    [MemberData(nameof(CacheIds))]
    public void Cache_id_of_every_proof(int id, string stem)
    {
        var info = SealProofInfo.Get(id);
        var graph = Graphs.GetOrAdd(info.Proof, _ => new StackedGraph(info));
        Assert.Equal(stem, graph.CacheId);
    }

    [Fact]
    public void Identifier_string_is_the_exact_rust_debug_form()
    {
        Assert.Equal(
            "stacked_graph::StackedGraph{expansion_degree: 8 base_graph: drgraph::BucketGraph{size: 1073741824; degree: 6; hasher: poseidon_hasher} }",
            StackedGraph.Identifier(1UL << 30));
    }

    [Fact]
    public void Feistel_precompute_per_sector_size()
    {
        Assert.Equal(5, Graphs.GetOrAdd(RegisteredSealProof.StackedDrg2KiBV1_1, p => new StackedGraph(SealProofInfo.Get(p))).Feistel.HalfBits);
        Assert.Equal(11, Graphs.GetOrAdd(RegisteredSealProof.StackedDrg8MiBV1_1, p => new StackedGraph(SealProofInfo.Get(p))).Feistel.HalfBits);
        Assert.Equal(14, Graphs.GetOrAdd(RegisteredSealProof.StackedDrg512MiBV1_1, p => new StackedGraph(SealProofInfo.Get(p))).Feistel.HalfBits);
        Assert.Equal(17, Graphs.GetOrAdd(RegisteredSealProof.StackedDrg32GiBV1_1, p => new StackedGraph(SealProofInfo.Get(p))).Feistel.HalfBits);
        Assert.Equal(0x1ffffUL, Graphs.GetOrAdd(RegisteredSealProof.StackedDrg64GiBV1_1, p => new StackedGraph(SealProofInfo.Get(p))).Feistel.RightMask);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new StackedGraph(new byte[31], 64, ProofsApiVersion.V1_1_0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackedGraph(new byte[32], 1, ProofsApiVersion.V1_1_0));
        var graph = new StackedGraph(new byte[32], 64, ProofsApiVersion.V1_1_0);
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.Parents(64, new uint[14]));
        Assert.Throws<ArgumentException>(() => graph.Parents(0, new uint[13]));
    }

    private static uint[] ParentsOf(StackedGraph graph, ulong node)
    {
        var parents = new uint[StackedGraph.Degree];
        graph.Parents(node, parents);
        return parents;
    }

    private static uint[] Parse(string row) => [.. row.Split(' ').Select(uint.Parse)];
}
