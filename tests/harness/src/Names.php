<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * Names for seeded users, by writing system, each with the ASCII slug used for its e-mail
 * address and username. The emoji names need 4-byte UTF-8, which only utf8mb4 tables (OP84)
 * can store.
 */
final class Names
{
    public const SCRIPTS = [
        'latin' => [
            ['Ana García', 'ana.garcia'],
            ['José Núñez', 'jose.nunez'],
            ['Zoë Dupré', 'zoe.dupre'],
            ['Łukasz Wiśniewski', 'lukasz.wisniewski'],
            ['Øyvind Sørensen', 'oyvind.sorensen'],
            ['François Lefèvre', 'francois.lefevre'],
            ['Jürgen Müller', 'juergen.mueller'],
            ["Siobhán O'Brien", 'siobhan.obrien'],
            ['Maria da Conceição', 'maria.conceicao'],
            ['Tom Smith', 'tom.smith'],
        ],
        'cyrillic' => [
            ['Иван Петров', 'ivan.petrov'],
            ['Ольга Смирнова', 'olga.smirnova'],
            ['Дмитрий Иванов', 'dmitry.ivanov'],
            ['Наталья Кузнецова', 'natalya.kuznetsova'],
        ],
        'greek' => [
            ['Γιώργος Παπαδόπουλος', 'giorgos.papadopoulos'],
            ['Ελένη Νικολάου', 'eleni.nikolaou'],
            ['Δημήτρης Οικονόμου', 'dimitris.oikonomou'],
        ],
        'arabic' => [
            ['محمد العلي', 'mohammed.alali'],
            ['فاطمة الزهراء', 'fatima.alzahra'],
            ['عمر خالد', 'omar.khaled'],
        ],
        'cjk' => [
            ['王伟', 'wang.wei'],
            ['李娜', 'li.na'],
            ['佐藤 太郎', 'sato.taro'],
            ['김민준', 'kim.minjun'],
        ],
        'emoji' => [
            ['Ana 🌟 García', 'ana.star'],
            ['Kenji 🍣 Tanaka', 'kenji.sushi'],
            ['🎸 Lucía Rock', 'lucia.rock'],
        ],
    ];

    /** Relative weights of the scripts among seeded users. */
    public const WEIGHTS = ['latin' => 50, 'cyrillic' => 12, 'greek' => 10, 'arabic' => 10, 'cjk' => 13, 'emoji' => 5];

    public const DOMAINS = ['example.com', 'Example.org', 'MAIL.example.net', 'correo.example.es'];

    public const HOBBIES = [
        ['old maps', 'los mapas antiguos'],
        ['bicycles', 'las bicicletas'],
        ['jazz records', 'los discos de jazz'],
        ['mountain walks', 'las caminatas por la montaña'],
    ];

    private function __construct()
    {
    }
}
